// Remove hosts: those the state records and the Clusterfile no longer lists are drained, reset and
// deleted from the cluster (masters one at a time, etcd member included), through the plan's seed.
// Their SSH settings come from the Clusterfile they were applied with.
import { parseClusterfile } from '../../clusterfile/index.js';
import type { HostSpec } from '../../clusterfile/types.js';
import { UserError } from '../../errors/errors.js';
import { connectHost } from '../../host/exec.js';
import type { Phase } from '../../phase/types.js';
import { planOf, type ClusterRun } from '../context.js';
import { clearVip } from './vip.js';

/** Remove `leaving` (connected where reachable) through `via`; `staying` are the masters that remain. */
export async function removeHosts(ctx: ClusterRun, leaving: readonly HostSpec[], via: HostSpec, staying: readonly HostSpec[], force: boolean): Promise<void> {
  const opts = { force, reachable: (h: HostSpec) => ctx.execs.has(h.ip), beforeReset: (h: HostSpec) => clearVip(ctx, h) };
  await ctx.runtime.removeNodes(leaving.filter((h) => !h.roles.includes('master')), via, opts);
  const masters = leaving.filter((h) => h.roles.includes('master'));
  if (masters.length > 0) await ctx.runtime.removeMasters(masters, via, staying, opts);
}

export const removeStale: Phase<ClusterRun> = {
  title: 'Remove hosts no longer in the Clusterfile',
  hosts: (ctx) => planOf(ctx).remove.map((r) => ({ ip: r.ip })),
  run: async (ctx) => {
    const p = planOf(ctx);
    const ips = p.remove.map((r) => r.ip);
    const text = await ctx.state.readClusterfile();
    if (text === undefined) throw new UserError(`cannot remove ${ips.join(', ')}: no stored Clusterfile in ${ctx.state.dir}`);
    const old = parseClusterfile(text, ctx.state.clusterfilePath, { baseDir: ctx.state.dir });
    const leaving = old.hosts.filter((h) => ips.includes(h.ip));
    await ctx.forEachHost(leaving, async (h) => {
      ctx.execs.set(h.ip, await connectHost(ctx.pool, h));
    });
    await removeHosts(ctx, leaving, p.seed!, p.apiServers, false);
  },
  dryRun: (ctx) => {
    for (const r of planOf(ctx).remove) ctx.intent(r.ip, `drain, remove from the cluster and reset (was ${r.roles.join(',')})`);
  },
};
