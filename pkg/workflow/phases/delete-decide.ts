// Delete, decide: the membership facts of the masters that stay, and from them the master the
// removal goes through (one that runs a control plane) and the apiservers the VIP keeps.
import { UserError } from '../../errors/errors.js';
import type { Phase } from '../../phase/types.js';
import type { DeleteRun } from '../delete.js';

export const deleteDecide: Phase<DeleteRun> = {
  title: 'Decide from the facts',
  readOnly: true,
  shouldRun: (ctx) => !ctx.all,
  run: async (ctx) => {
    const leaving = new Set(ctx.targets.map((t) => t.ip));
    const staying = ctx.recorded.filter((h) => !leaving.has(h.ip));
    await ctx.forEachHost(staying.filter((h) => h.roles.includes('master')), async (h) => {
      ctx.members.set(h.ip, await ctx.runtime.facts(ctx.execs.get(h.ip)!));
    });
    ctx.apiServers = staying.filter((h) => ctx.members.get(h.ip)?.controlPlane);
    ctx.via = ctx.apiServers[0];
    if (!ctx.via) throw new UserError(`delete: none of the masters that stay (${staying.filter((h) => h.roles.includes('master')).map((h) => h.ip).join(', ')}) runs a control plane`);
    ctx.staying = staying;
  },
  dryRun: (ctx) => ctx.intent(undefined, `remove through ${ctx.via?.ip}; the VIP keeps ${ctx.apiServers.map((m) => m.ip).join(', ')}`),
};
