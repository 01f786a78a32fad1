// VIP: every node reaches the apiservers through VIP:6443, pointed at the masters that really
// serve one (the plan's apiServers: running, initialised or joined in this run), then checked from
// the node with a TLS handshake against the cluster CA. This phase keeps the member nodes in step;
// a new node gets its VIP in join-nodes, right before it joins through it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodes, type HostSpec } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import { checkVip, removeVip, setupVip, vipCurrent, type VipSetup } from '../../vip/index.js';
import { execOf, planOf, type ClusterRun } from '../context.js';

/** The cluster CA the VIP check verifies against, read once per fan-out. */
export function clusterCaPem(ctx: ClusterRun): Promise<string> {
  return readFile(join(ctx.pkiDir, 'ca.crt'), 'utf8');
}

/** The VIP a node gets for `apiServers`. */
function setupOf(ctx: ClusterRun, apiServers: readonly HostSpec[]): VipSetup {
  return { mode: ctx.vipMode ?? 'iptables', vip: ctx.cluster.vip.address, port: ctx.runtime.apiServerPort, masters: apiServers.map((m) => m.ip) };
}

/** Set up and check the VIP on one node for `apiServers`. */
export async function vipOn(ctx: ClusterRun, n: HostSpec, apiServers: readonly HostSpec[], caPem: string): Promise<void> {
  const x = execOf(ctx, n);
  await setupVip(x, setupOf(ctx, apiServers));
  await checkVip(x, { vip: ctx.cluster.vip.address, port: ctx.runtime.apiServerPort, caPem });
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

/**
 * The member nodes whose VIP is not already this one by their facts. A node found current is left
 * alone, its TLS check too: it was checked when its VIP was set, and its unit has health-checked
 * the masters every 2 s since. That is what makes a re-apply with nothing to do cost nothing here.
 */
const staleNodes = (ctx: ClusterRun) => {
  const want = setupOf(ctx, planOf(ctx).apiServers);
  return memberNodes(ctx).filter((n) => {
    const f = ctx.facts.get(n.ip);
    return !f || !vipCurrent(f, want);
  });
};

export const vip: Phase<ClusterRun> = {
  title: 'API server VIP on nodes',
  hosts: staleNodes,
  run: (ctx) => syncVip(ctx, staleNodes(ctx), planOf(ctx).apiServers),
  dryRun: (ctx) => {
    const to = planOf(ctx).apiServers.map((m) => m.ip).join(', ');
    const stale = new Set(staleNodes(ctx));
    for (const n of memberNodes(ctx)) {
      ctx.intent(n.ip, stale.has(n) ? `route ${ctx.cluster.vip.address}:${ctx.runtime.apiServerPort} to ${to} (${ctx.vipMode}), checked with TLS` : `VIP ${ctx.cluster.vip.address}:${ctx.runtime.apiServerPort} to ${to} (${ctx.vipMode}) already in place: nothing to do`);
    }
  },
};
