// The admin kubeconfig for the user's machine: the PKI's admin.conf with a server this machine can
// reach (admin.conf names apiserver.cluster.local, which only the hosts resolve), and the cluster,
// user and context named after the cluster so it can be merged beside others.
import { mkdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { UserError } from '../errors/errors.js';
import { writeDocument, writeRenderedDocument } from '../output/document.js';
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

/**
 * Merge `ours` into an existing kubeconfig text: same-named entries replaced, others kept; the
 * user's current-context too, unless `use` (or there is none yet).
 */
export function mergeKubeconfig(existingText: string | undefined, oursText: string, use = false): string {
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
    'current-context': (!use && base['current-context']) || ours['current-context'],
  };
  return stringify(merged);
}

export interface KubeconfigRequest {
  flags: RunFlags;
  /** Where to write it; undefined = print to stdout. */
  out?: string;
  /** Merge into ~/.kube/config (or $KUBECONFIG's first file) as a context named after the cluster. */
  merge?: boolean;
  /** With merge: make it the current context. */
  use?: boolean;
  /** Server URL to put in it; default: the VIP if it answers from here, else the first master that does. */
  server?: string;
  stdout?: NodeJS.WritableStream;
}

const APISERVER_PORT = 6443;
const PROBE_TIMEOUT_MS = 1500;

/** The first of `ips` whose TCP `port` accepts a connection from this machine (all probed at once). */
async function firstAnswering(ips: string[], port: number): Promise<string | undefined> {
  const answers = await Promise.all(ips.map((ip) => new Promise<boolean>((resolve) => {
    const s = connect({ host: ip, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  })));
  return ips.find((_, i) => answers[i]);
}

export async function writeKubeconfig(o: KubeconfigRequest): Promise<void> {
  if (o.use && !o.merge) throw new UserError('kubeconfig: --use makes the merged context the current one: give it with --merge');
  if (o.server !== undefined && !/^https:\/\/[^\s/]+(:\d+)?\/?$/.test(o.server)) throw new UserError(`--server ${o.server}: expected https://HOST[:PORT]`);
  await withCluster({ flags: o.flags, lock: false, command: 'kubeconfig', needs: { keys: false } }, async ({ state, cluster, stateFile }) => {
    // The VIP when it answers here (this machine is a node of the cluster: every master behind it),
    // else the members first (the state's), then the other listed masters; none answering: the first.
    const masters = cluster.hosts.filter((h) => h.roles.includes('master')).map((h) => h.ip);
    const ordered = [...masters.filter((ip) => stateFile?.hosts[ip]), ...masters.filter((ip) => !stateFile?.hosts[ip])];
    const server = o.server ?? `https://${(await firstAnswering([cluster.vip.address, ...ordered], APISERVER_PORT)) ?? ordered[0]}:${APISERVER_PORT}`;
    const text = await localKubeconfig(await state.pkiDir(), cluster.name, server);
    const stdout = o.stdout ?? process.stdout;
    const format = o.flags.output;
    if (o.merge) {
      const target = (process.env.KUBECONFIG ?? '').split(':').find(Boolean) ?? join(homedir(), '.kube', 'config');
      const existing = await readFile(target, 'utf8').catch(() => undefined);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const merged = mergeKubeconfig(existing, text, o.use);
      await writeFileAtomic(target, merged, { mode: 0o600 });
      const current = (parse(merged) as Kubeconfig)['current-context'];
      if (format === 'text') o.flags.quiet || stdout.write(`merged context ${cluster.name} into ${target}${current === cluster.name ? ' (the current context)' : `; the current context stays ${current} (--use to switch)`}\n`);
      else writeDocument(format, { merged: target, context: cluster.name, server, currentContext: current }, stdout);
    } else if (o.out) {
      await writeFileAtomic(o.out, text, { mode: 0o600 });
      if (format !== 'text') writeDocument(format, { written: o.out, context: cluster.name, server }, stdout);
    } else if (format === 'json') {
      // kubectl's convention: -o json is the kubeconfig itself, as JSON.
      writeDocument('json', parse(text), stdout);
    } else {
      writeRenderedDocument(text, stdout);
    }
  });
}
