// etcd backup/restore, the masters: connected, their membership facts read, and from them the
// member a snapshot is taken from (one running a control plane and an etcd member).
import { masters } from '../../clusterfile/types.js';
import { UserError } from '../../errors/errors.js';
import { connectHost } from '../../host/exec.js';
import type { Phase } from '../../phase/types.js';
import type { EtcdRun } from '../etcd.js';

export const etcdMasters: Phase<EtcdRun> = {
  title: 'Connect to the masters and read their facts',
  readOnly: true,
  hosts: (ctx) => ctx.masters,
  run: async (ctx) => {
    await ctx.forEachHost(ctx.masters, async (h) => {
      const x = await connectHost(ctx.pool, h);
      ctx.execs.set(h.ip, x);
      ctx.members.set(h.ip, await ctx.runtime.facts(x));
    });
    ctx.via = ctx.masters.find((h) => ctx.members.get(h.ip)?.etcdMember && ctx.members.get(h.ip)?.controlPlane);
    if (!ctx.via) throw new UserError(`cluster ${ctx.cluster.name}: no master (${masters(ctx.cluster).map((m) => m.ip).join(', ')}) runs etcd`);
  },
  dryRun: (ctx) => ctx.intent(ctx.via?.ip, 'healthy etcd member'),
};
