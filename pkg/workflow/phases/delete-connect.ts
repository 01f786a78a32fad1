// Delete, connect: the hosts leaving and every recorded host that stays (a master to work through,
// the nodes whose VIP and routes follow). A leaving host that cannot be reached is refused unless
// --force, which drops it from the cluster without cleaning it.
import { HostError } from '../../errors/errors.js';
import { connectHost } from '../../host/exec.js';
import type { Phase } from '../../phase/types.js';
import type { DeleteRun } from '../delete.js';

export const deleteConnect: Phase<DeleteRun> = {
  title: 'Connect',
  readOnly: true,
  hosts: (ctx) => ctx.recorded,
  run: async (ctx) => {
    const leaving = new Set(ctx.targets.map((t) => t.ip));
    const results = await ctx.forEachHost(ctx.recorded, async (h) => ctx.execs.set(h.ip, await connectHost(ctx.pool, h)), { tolerateFailures: true });
    for (const r of results) {
      if (r.ok) continue;
      if (!leaving.has(r.host.ip)) throw new HostError(r.name, 'connect', `${r.error.message} (it stays in the cluster: its VIP and routes must follow)`);
      if (!ctx.force) throw new HostError(r.name, 'connect', `${r.error.message} (use --force to remove it anyway)`);
      ctx.warn(`${r.name}: unreachable, removed from the cluster without cleaning it (--force)`);
    }
  },
  dryRun: () => {},
};
