// VIP: every node reaches the apiservers through VIP:6443, pointed at the masters that really
// serve one (the plan's apiServers: running, initialised or joined in this run), then checked from
// the node with a TLS handshake against the cluster CA. This phase keeps the member nodes in step;
// a new node gets its VIP in join-nodes, right before it joins through it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodes, type HostSpec } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import { checkVip, removeVip, setupVip } from '../../vip/index.js';
import { execOf, planOf, type ClusterRun } from '../context.js';

/** The cluster CA the VIP check verifies against, read once per fan-out. */
export function clusterCaPem(ctx: ClusterRun): Promise<string> {
  return readFile(join(ctx.pkiDir, 'ca.crt'), 'utf8');
}

/** Set up and check the VIP on one node for `apiServers`. */
export async function vipOn(ctx: ClusterRun, n: HostSpec, apiServers: readonly HostSpec[], caPem: string): Promise<void> {
  const port = ctx.runtime.apiServerPort;
  const x = execOf(ctx, n);
  await setupVip(x, { mode: ctx.vipMode ?? 'iptables', vip: ctx.cluster.vip.address, port, masters: apiServers.map((m) => m.ip) });
  await checkVip(x, { vip: ctx.cluster.vip.address, port, caPem });
}

/** Set up and check the VIP on `targets` for `apiServers`. */
export async function syncVip(ctx: ClusterRun, targets: readonly HostSpec[], apiServers: readonly HostSpec[]): Promise<void> {
  const caPem = await clusterCaPem(ctx);
  await ctx.forEachHost(targets, (n) => vipOn(ctx, n, apiServers, caPem));
}

/** Undo the VIP on a host leaving the cluster (the runtime calls it after the drain, before the reset). */
export async function clearVip(ctx: ClusterRun, h: HostSpec): Promise<void> {
  await removeVip(execOf(ctx, h), { vip: ctx.cluster.vip.address, port: ctx.runtime.apiServerPort, masters: [] });
}

/** The nodes already in the cluster (new ones get theirs as they join). */
const memberNodes = (ctx: ClusterRun) => nodes(ctx.cluster).filter((n) => planOf(ctx).members.includes(n));

export const vip: Phase<ClusterRun> = {
  title: 'API server VIP on nodes',
  hosts: memberNodes,
  run: (ctx) => syncVip(ctx, memberNodes(ctx), planOf(ctx).apiServers),
  dryRun: (ctx) => {
    const to = planOf(ctx).apiServers.map((m) => m.ip).join(', ');
    for (const n of memberNodes(ctx)) ctx.intent(n.ip, `route ${ctx.cluster.vip.address}:${ctx.runtime.apiServerPort} to ${to} (${ctx.vipMode}), checked with TLS`);
  },
};
