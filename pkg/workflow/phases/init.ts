// Init: the first control plane, only when no master of this cluster runs one (the plan's choice).
import type { Phase } from '../../phase/types.js';
import { planOf, type ClusterRun } from '../context.js';

export const init: Phase<ClusterRun> = {
  title: 'Init first master',
  hosts: (ctx) => (planOf(ctx).init ? [planOf(ctx).init!] : []),
  run: async (ctx) => {
    const m = planOf(ctx).init!;
    await ctx.forEachHost([m], (h) => ctx.runtime.init(h));
  },
  dryRun: (ctx) => {
    const c = ctx.cluster;
    ctx.intent(planOf(ctx).init!.ip, `initialise the control plane (${c.runtime.type} ${c.runtime.version})`);
  },
};
