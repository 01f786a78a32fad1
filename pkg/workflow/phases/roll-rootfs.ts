// Roll rootfs: members whose image changes, one host at a time, masters first, so the cluster keeps
// serving: a host whose binaries, CNI plugins or images change is drained first, gets the new
// image and init.sh, has its kubelet restarted (a master: until its apiserver is ready again) and is
// uncordoned; a change of scripts or config alone needs none of that.
import type { Phase } from '../../phase/types.js';
import { planOf, type ClusterRun } from '../context.js';
import { installRootfs } from './push-rootfs.js';

export const rollRootfs: Phase<ClusterRun> = {
  title: 'Roll out the changed rootfs (one host at a time)',
  hosts: (ctx) => planOf(ctx).roll.map((r) => r.host),
  run: async (ctx) => {
    const p = planOf(ctx);
    for (const r of p.roll) {
      // Through a master that is not the one changing, when there is one.
      const via = p.apiServers.find((m) => m !== r.host && !p.joinMasters.includes(m)) ?? p.seed!;
      await ctx.forEachHost([r.host], async (h) => {
        if (r.drain) await ctx.runtime.drain(h, via);
        await installRootfs(ctx, [h], () => true);
        if (r.drain) {
          await ctx.runtime.restartChanged(h, { kubelet: r.kubelet });
          await ctx.runtime.uncordon(h, via);
        }
      });
    }
  },
  dryRun: (ctx) => {
    for (const r of planOf(ctx).roll) {
      const what = `${r.changed.length} file(s) change (${r.changed.slice(0, 3).join(', ')}${r.changed.length > 3 ? ', ...' : ''})`;
      ctx.intent(r.host.ip, r.drain ? `${what}: drain, install, restart${r.kubelet ? ' kubelet' : ''}, uncordon` : `${what}: install (nothing running changes)`);
    }
  },
};
