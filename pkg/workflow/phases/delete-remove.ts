// Delete, remove: --all resets every host at once (no etcd member leaves first: nobody would be left
// to ask); otherwise nodes are drained, reset and deleted, masters one at a time with their etcd member.
import type { Phase } from '../../phase/types.js';
import type { DeleteRun } from '../delete.js';
import { removeHosts } from './remove-hosts.js';
import { clearVip } from './vip.js';

export const deleteRemove: Phase<DeleteRun> = {
  title: 'Remove hosts',
  hosts: (ctx) => ctx.targets,
  run: async (ctx) => {
    if (ctx.all) {
      const reachable = ctx.targets.filter((h) => ctx.execs.has(h.ip));
      await ctx.forEachHost(reachable, (h) => ctx.runtime.reset(h, { wholeCluster: true, beforeReset: (x) => clearVip(ctx, x) }));
      return;
    }
    await removeHosts(ctx, ctx.targets, ctx.via!, ctx.apiServers, ctx.force);
  },
  dryRun: (ctx) => {
    for (const h of ctx.targets) ctx.intent(h.ip, ctx.all ? 'reset, clean, remove VIP and rootfs' : `drain, reset, clean, delete the Node${h.roles.includes('master') ? ', remove its etcd member' : ''}`);
  },
};
