// What changed between two Clusterfiles (the last applied one and the new one): hosts added,
// removed or changing role, and the cluster-wide settings that differ. Secrets are compared by
// value but never shown.
import { isSecret } from '../secret/secret.js';
import type { Cluster, HostSpec, Role } from './types.js';

export interface ClusterDiff {
  added: HostSpec[];
  removed: HostSpec[];
  /** Same address, different role: sealts cannot convert a node into a master in place. */
  roleChanged: Array<{ ip: string; from: Role[]; to: Role[] }>;
  /** Dotted paths of cluster-wide settings that differ, e.g. `runtime.version`, `vip.address`. */
  changed: string[];
}

const SETTINGS = ['name', 'image', 'runtime', 'network', 'vip', 'pki', 'env', 'ssh', 'overrides'] as const;

export function diffClusters(before: Cluster, after: Cluster): ClusterDiff {
  const old = new Map(before.hosts.map((h) => [h.ip, h]));
  const now = new Map(after.hosts.map((h) => [h.ip, h]));
  const sameRoles = (a: Role[], b: Role[]) => a.length === b.length && a.every((r) => b.includes(r));
  const roleChanged = after.hosts
    .filter((h) => old.has(h.ip) && !sameRoles(old.get(h.ip)!.roles, h.roles))
    .map((h) => ({ ip: h.ip, from: old.get(h.ip)!.roles, to: h.roles }));
  const changed: string[] = [];
  for (const k of SETTINGS) changedPaths(before[k], after[k], k, changed);
  return {
    added: after.hosts.filter((h) => !old.has(h.ip)),
    removed: before.hosts.filter((h) => !now.has(h.ip)),
    roleChanged,
    changed,
  };
}

function changedPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isSecret(a) || isSecret(b)) {
    if (!isSecret(a) || !isSecret(b) || a.reveal() !== b.reveal()) out.push(path);
    return;
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) changedPaths(a[k], b[k], `${path}.${k}`, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}
