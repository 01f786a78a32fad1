// Keep the stored Clusterfile in step with join/delete: add or drop host IPs in its text, keeping
// comments and layout (yaml Document API). Handles sealts' `hosts[].ips` lists; a range that
// contains a removed IP is expanded first.
import { resolve as resolvePath } from 'node:path';
import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import { expandIPs } from '../clusterfile/index.js';
import type { Role } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';

function clusterDoc(text: string, file: string): { docs: Document[]; doc: Document } {
  const docs = parseAllDocuments(text) as Document[];
  const doc = docs.find((d) => (d.toJS() as { kind?: string } | null)?.kind === 'Cluster');
  if (!doc) throw new UserError(`${file}: no Cluster document to update`);
  return { docs, doc };
}

const ipOnly = (s: string) => (s.includes(':') ? s.slice(0, s.lastIndexOf(':')) : s);

export function removeHostsFromClusterfile(text: string, file: string, ips: readonly string[]): string {
  const { docs, doc } = clusterDoc(text, file);
  const hosts = doc.getIn(['spec', 'hosts']);
  if (!isSeq(hosts)) throw new UserError(`${file}: spec.hosts is not a list`);
  const gone = new Set(ips.map(ipOnly));
  for (let i = hosts.items.length - 1; i >= 0; i--) {
    const group = hosts.items[i];
    if (!isMap(group)) continue;
    const list = (group.toJSON() as { ips?: string[] }).ips ?? [];
    const expanded = list.flatMap((s) => expandIPs(String(s)));
    if (!expanded.some((s) => gone.has(ipOnly(s)))) continue;
    const kept = expanded.filter((s) => !gone.has(ipOnly(s)));
    if (kept.length === 0) hosts.items.splice(i, 1);
    else group.set('ips', doc.createNode(kept, { flow: true }));
  }
  return docs.map((d) => d.toString()).join('');
}

export function addHostsToClusterfile(text: string, file: string, ips: readonly string[], role: Role): string {
  if (ips.length === 0) return text;
  const { docs, doc } = clusterDoc(text, file);
  const hosts = doc.getIn(['spec', 'hosts']);
  if (!isSeq(hosts)) throw new UserError(`${file}: spec.hosts is not a list`);
  hosts.items.push(doc.createNode({ ips: [...ips], roles: [role] }, { flow: false }) as never);
  return docs.map((d) => d.toString()).join('');
}

/**
 * The stored copy lives in the state dir, so relative paths in it (spec.image, ssh pk) would point
 * elsewhere: make them absolute against the original file's directory. sealts-format only.
 */
export function absolutizePaths(text: string, file: string, baseDir: string): string {
  const { docs, doc } = clusterDoc(text, file);
  if (!String(doc.get('apiVersion') ?? '').startsWith('sealts.io/')) return text;
  const fix = (p: (string | number)[]) => {
    const v = doc.getIn(p);
    if (typeof v === 'string' && v !== '' && !v.startsWith('/') && !v.startsWith('~')) doc.setIn(p, resolvePath(baseDir, v));
  };
  fix(['spec', 'image']);
  fix(['spec', 'ssh', 'pk']);
  const hosts = doc.getIn(['spec', 'hosts']);
  if (isSeq(hosts)) hosts.items.forEach((_, i) => fix(['spec', 'hosts', i, 'ssh', 'pk']));
  return docs.map((d) => d.toString()).join('');
}
