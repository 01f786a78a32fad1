// Which hosts `sealts exec` / `sealts cp` act on and how to log in: a stored cluster, a
// Clusterfile, or an ad-hoc IP list, with login overrides from flags.
import os from 'node:os';
import path from 'node:path';
import { expandHostPorts, loadClusterfile } from '../clusterfile/index.js';
import type { Cluster, Role, SshConfig } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import { Secret } from '../secret/secret.js';
import { clusterKnownHosts, sealtsHome } from '../state/index.js';
import { targetOf } from './target.js';
import type { PoolOptions, Target } from './types.js';

export interface HostSelection {
  /** A cluster opened by its caller (the one way a cluster is opened: pkg/workflow/open.ts). */
  cluster?: { cluster: Cluster; knownHosts: string };
  /** A Clusterfile to read the hosts from. */
  file?: string;
  /** Ad-hoc hosts: `a,b`, `ip:port`, ranges `198.18.0.11-15`. */
  hosts?: string;
  roles?: readonly Role[];
  user?: string;
  pk?: string;
  passwd?: Secret;
  /** Read and record host keys here instead of the sealts known_hosts. */
  knownHosts?: string;
  /** Notes for the user (a cluster state that could not be read). */
  warn?: (line: string) => void;
}

export interface Selected {
  /** With --hosts, each carries the known_hosts of the clusters whose state lists its IP. */
  targets: Target[];
  /** Pool settings for host keys: ~/.ssh/known_hosts plus sealts' own file, which records new keys. */
  hostKeys: Pick<PoolOptions, 'knownHostsFiles' | 'recordUnknownTo'>;
}

const ROLES: readonly Role[] = ['master', 'node'];

export function parseRoles(text: string): Role[] {
  const roles = text.split(',').map((r) => r.trim());
  for (const r of roles) {
    if (!ROLES.includes(r as Role)) throw new UserError(`--roles: unknown role ${JSON.stringify(r)} (expected master, node)`);
  }
  return roles as Role[];
}

/** Flag overrides on top of a host's own settings; a password given for a non-root user also answers sudo. */
function withOverrides(ssh: SshConfig, sel: HostSelection): SshConfig {
  const out: SshConfig = { ...ssh };
  if (sel.user !== undefined) out.user = sel.user;
  if (sel.pk !== undefined) out.pk = sel.pk;
  if (sel.passwd !== undefined) {
    out.passwd = sel.passwd;
    if (out.user !== 'root' && out.sudoPasswd === undefined) out.sudoPasswd = sel.passwd;
  }
  return out;
}

async function clusterOf(sel: HostSelection): Promise<{ cluster: Cluster; knownHosts: string }> {
  if (sel.file !== undefined) return { cluster: await loadClusterfile(sel.file), knownHosts: path.join(sealtsHome(), 'known_hosts') };
  if (sel.cluster !== undefined) return sel.cluster;
  throw new UserError('choose the hosts: --hosts, -f/--file or --cluster');
}

export async function selectTargets(sel: HostSelection): Promise<Selected> {
  const given = [sel.hosts, sel.file, sel.cluster].filter((x) => x !== undefined).length;
  if (given > 1) throw new UserError('choose one of --hosts, -f/--file and --cluster');
  let targets: Target[];
  let ownKnownHosts: string;
  if (sel.hosts !== undefined) {
    if (sel.roles) throw new UserError('--roles needs a cluster (--cluster or -f), not --hosts');
    const user = sel.user ?? 'root';
    const hps = expandHostPorts(sel.hosts);
    // Trust what the clusters trust: a key changed since a cluster recorded it is refused (nothing is recorded there).
    const known = await clusterKnownHosts([...new Set(hps.map((hp) => hp.ip))]);
    for (const w of known.warnings) sel.warn?.(w);
    targets = hps.map((hp) => {
      const port = hp.port ?? 22;
      const knownHostsFiles = known.byIp.get(hp.ip) ?? [];
      return { name: hp.ip, ip: hp.ip, port, ssh: withOverrides({ user, port }, { ...sel, user }), ...(knownHostsFiles.length > 0 ? { knownHostsFiles } : {}) };
    });
    ownKnownHosts = path.join(sealtsHome(), 'known_hosts');
  } else {
    const { cluster, knownHosts } = await clusterOf(sel);
    const hosts = sel.roles ? cluster.hosts.filter((h) => h.roles.some((r) => sel.roles!.includes(r))) : cluster.hosts;
    targets = hosts.map((h) => {
      const t = targetOf(h);
      return { ...t, ssh: withOverrides(t.ssh, sel) };
    });
    ownKnownHosts = knownHosts;
  }
  if (targets.length === 0) throw new UserError('no hosts selected');
  const record = sel.knownHosts ?? ownKnownHosts;
  return {
    targets,
    hostKeys: { knownHostsFiles: [path.join(os.homedir(), '.ssh', 'known_hosts'), record], recordUnknownTo: record },
  };
}

/** A password from an environment variable (never from argv). */
export function passwordFromEnv(name: string): Secret {
  const v = process.env[name];
  if (v === undefined || v === '') throw new UserError(`--passwd-env: environment variable ${name} is not set`);
  return new Secret(v);
}
