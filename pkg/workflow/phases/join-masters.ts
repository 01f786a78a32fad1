// Join masters: one at a time (each etcd member in before the next), through the plan's seed.
import type { Phase } from '../../phase/types.js';
import { planOf, type ClusterRun } from '../context.js';

export const joinMasters: Phase<ClusterRun> = {
  title: 'Join masters (one at a time)',
  hosts: (ctx) => planOf(ctx).joinMasters,
  run: async (ctx) => {
    const p = planOf(ctx);
    await ctx.runtime.joinMasters(p.joinMasters, p.seed!);
  },
  dryRun: (ctx) => {
    const p = planOf(ctx);
    for (const h of p.joinMasters) ctx.intent(h.ip, `join as control plane through ${p.seed?.ip} (${ctx.cluster.runtime.type} ${ctx.cluster.runtime.version})`);
  },
};
