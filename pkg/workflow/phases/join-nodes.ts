// Join nodes: in parallel, through the plan's seed; each gets its VIP (to the plan's apiServers)
// right before it joins through it, so one node whose VIP fails does not hold the others back.
import type { Phase } from '../../phase/types.js';
import { planOf, type ClusterRun } from '../context.js';
import { clusterCaPem, vipOn } from './vip.js';

export const joinNodes: Phase<ClusterRun> = {
  title: 'Join nodes',
  hosts: (ctx) => planOf(ctx).joinNodes,
  run: async (ctx) => {
    const p = planOf(ctx);
    const caPem = await clusterCaPem(ctx);
    await ctx.runtime.joinNodes(p.joinNodes, p.seed!, { before: (n) => vipOn(ctx, n, p.apiServers, caPem) });
  },
  dryRun: (ctx) => {
    const p = planOf(ctx);
    const vip = `${ctx.cluster.vip.address}:${ctx.runtime.apiServerPort} to ${p.apiServers.map((m) => m.ip).join(', ')}`;
    for (const h of p.joinNodes) ctx.intent(h.ip, `VIP ${vip} (${ctx.vipMode}), then join as worker (${ctx.cluster.runtime.type} ${ctx.cluster.runtime.version})`);
  },
};
