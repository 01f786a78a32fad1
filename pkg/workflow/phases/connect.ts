// Connect: one SSH connection per host, reused by every later phase (read-only, so `plan` runs it).
import type { Phase } from '../../phase/types.js';
import { connectHost } from '../../host/exec.js';
import type { ClusterRun } from '../context.js';

export const connect: Phase<ClusterRun> = {
  title: 'Connect',
  readOnly: true,
  hosts: (ctx) => ctx.cluster.hosts,
  run: async (ctx) => {
    await ctx.forEachHost(ctx.cluster.hosts, async (h) => {
      ctx.execs.set(h.ip, await connectHost(ctx.pool, h));
    });
  },
  dryRun: () => {},
};
