// Save state: state.json (hosts as their facts say, roles, version, rootfs), the Clusterfile this
// run applied, and the same record in the cluster (ConfigMap kube-system/sealts-cluster).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { HostSpec } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import { MANIFEST_FILE } from '../../rootfs/index.js';
import type { StateFile } from '../../state/index.js';
import { emptyState } from '../../state/schema.js';
import { absolutizePaths } from '../clusterfile-edit.js';
import { planOf, type ClusterRun } from '../context.js';
import { writeRecord } from '../record.js';

export async function recordHosts(ctx: ClusterRun): Promise<StateFile> {
  const now = new Date().toISOString();
  const prev = ctx.previous ?? emptyState(ctx.cluster.name);
  const hosts: StateFile['hosts'] = {};
  for (const h of ctx.cluster.hosts) {
    const f = ctx.facts.get(h.ip)!;
    hosts[h.ip] = { roles: h.roles, hostname: f.hostname, machineId: f.machineId, joinedAt: prev.hosts[h.ip]?.joinedAt ?? now };
  }
  const rootfsHash = ctx.rootfs ? createHash('sha256').update(await readFile(join(ctx.rootfs.dir, MANIFEST_FILE))).digest('hex') : prev.rootfsHash;
  return { ...prev, hosts, runtime: { ...ctx.cluster.runtime }, rootfsHash };
}

/** state.json, the applied Clusterfile, and the record in the cluster (written through `via`). */
export async function saveRun(ctx: ClusterRun, via: HostSpec): Promise<void> {
  const next = await recordHosts(ctx);
  await ctx.state.write(next);
  const text = await readFile(ctx.clusterfilePath, 'utf8');
  await ctx.state.writeClusterfile(absolutizePaths(text, ctx.clusterfilePath, dirname(resolve(ctx.clusterfilePath))));
  await writeRecord(ctx.runtime, via, { cluster: next.cluster, runtime: next.runtime!, rootfsHash: next.rootfsHash, hosts: next.hosts, updatedAt: new Date().toISOString() });
}

export const saveState: Phase<ClusterRun> = {
  title: 'Save state',
  run: (ctx) => saveRun(ctx, planOf(ctx).seed!),
  dryRun: (ctx) => ctx.intent(undefined, `record ${ctx.cluster.hosts.length} host(s) in state.json and in ConfigMap kube-system/sealts-cluster`),
};
