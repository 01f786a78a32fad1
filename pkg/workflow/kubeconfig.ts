// The admin kubeconfig for the user's machine: the PKI's admin.conf with a server this machine can
// reach (admin.conf names apiserver.cluster.local, which only the hosts resolve), and the cluster,
// user and context named after the cluster so it can be merged beside others.
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { UserError } from '../errors/errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import { withCluster, type RunFlags } from './open.js';

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
  'current-context': string;
  [k: string]: unknown;
}

export async function localKubeconfig(pkiDir: string, clusterName: string, server: string): Promise<string> {
  const file = join(pkiDir, 'admin.conf');
  const kc = parse(await readFile(file, 'utf8').catch(() => {
    throw new UserError(`${file}: no admin kubeconfig; run sealts apply first`);
  })) as Kubeconfig;
  const cluster = kc.clusters[0];
  const user = kc.users[0];
  if (!cluster || !user) throw new UserError(`${file}: not a kubeconfig with a cluster and a user`);
  const userName = `${clusterName}-admin`;
  const out: Kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { ...cluster.cluster, server } }],
    users: [{ name: userName, user: user.user }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: userName } }],
    'current-context': clusterName,
  };
  return stringify(out);
}

/** Merge `ours` into an existing kubeconfig text: same-named entries replaced, others kept. */
export function mergeKubeconfig(existingText: string | undefined, oursText: string): string {
  const ours = parse(oursText) as Kubeconfig;
  const base = (existingText ? (parse(existingText) as Partial<Kubeconfig> | null) : null) ?? {};
  const upsert = <T extends { name: string }>(list: T[] | undefined, items: T[]): T[] => [
    ...(list ?? []).filter((x) => !items.some((i) => i.name === x.name)),
    ...items,
  ];
  const merged: Kubeconfig = {
    ...base,
    apiVersion: 'v1',
    kind: 'Config',
    clusters: upsert(base.clusters, ours.clusters),
    users: upsert(base.users, ours.users),
    contexts: upsert(base.contexts, ours.contexts),
    'current-context': base['current-context'] || ours['current-context'],
  };
  return stringify(merged);
}

export interface KubeconfigRequest {
  flags: RunFlags;
  /** Where to write it; undefined = print to stdout. */
  out?: string;
  /** Merge into ~/.kube/config (or $KUBECONFIG's first file) as a context named after the cluster. */
  merge?: boolean;
  /** Server URL to put in it; default: the first master the state records as a member. */
  server?: string;
  stdout?: NodeJS.WritableStream;
}

export async function writeKubeconfig(o: KubeconfigRequest): Promise<void> {
  if (o.server !== undefined && !/^https:\/\/[^\s/]+(:\d+)?\/?$/.test(o.server)) throw new UserError(`--server ${o.server}: expected https://HOST[:PORT]`);
  await withCluster({ flags: o.flags, lock: false }, async ({ state, cluster, stateFile }) => {
    const master = cluster.hosts.find((h) => h.roles.includes('master') && stateFile?.hosts[h.ip]) ?? cluster.hosts.find((h) => h.roles.includes('master'))!;
    const server = o.server ?? `https://${master.ip}:6443`;
    const text = await localKubeconfig(await state.pkiDir(), cluster.name, server);
    if (o.merge) {
      const target = (process.env.KUBECONFIG ?? '').split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
      const existing = await readFile(target, 'utf8').catch(() => undefined);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFileAtomic(target, mergeKubeconfig(existing, text), { mode: 0o600 });
      (o.stdout ?? process.stdout).write(`merged context ${cluster.name} into ${target}\n`);
    } else if (o.out) {
      await writeFileAtomic(o.out, text, { mode: 0o600 });
    } else {
      (o.stdout ?? process.stdout).write(text);
    }
  });
}
