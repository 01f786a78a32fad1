// Push rootfs: the new hosts get their role's part of the image (a node no control-plane image or
// etcd tool) and run its init.sh (binaries, containerd, CNI, their role's images); members with the same image have it checked (and repaired) on the host. Members
// whose image changes are not touched here: roll-rootfs takes them one at a time.
import type { HostSpec } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import { filesFor, pushRootfs, runInitScript } from '../../rootfs/index.js';
import { hostInputFiles } from '../../runtime/index.js';
import { pauseImage } from '../../versions/index.js';
import { execOf, planOf, type ClusterRun } from '../context.js';

export function roleOf(h: HostSpec): 'master' | 'node' {
  return h.roles.includes('master') ? 'master' : 'node';
}

/** Upload (unchanged files skipped), verify, and run init.sh with the files the host's facts decided. */
export async function installRootfs(ctx: ClusterRun, h: HostSpec, always: boolean): Promise<void> {
  const x = execOf(ctx, h);
  const outcome = await pushRootfs(x, ctx.rootfs!, roleOf(h));
  if (outcome === 'pushed' || always) await runInitScript(x, roleOf(h), hostInputFiles(ctx.settings.get(h.ip)!, pauseImage(ctx.cluster.runtime.version)));
}

/** The size of what a host's role receives, for the plan. */
function sizeOf(ctx: ClusterRun, h: HostSpec): string {
  const bytes = ctx.rootfs ? filesFor(ctx.rootfs.manifest, roleOf(h)).reduce((n, f) => n + f.size, 0) : 0;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export const pushRootfsPhase: Phase<ClusterRun> = {
  title: 'Push rootfs',
  hosts: (ctx) => [...planOf(ctx).install, ...planOf(ctx).verify],
  run: async (ctx) => {
    const p = planOf(ctx);
    const fresh = new Set(p.install);
    await ctx.forEachHost([...p.install, ...p.verify], (h) => installRootfs(ctx, h, fresh.has(h)));
  },
  dryRun: (ctx) => {
    const p = planOf(ctx);
    for (const h of p.install) ctx.intent(h.ip, `upload the ${roleOf(h)} part of ${ctx.cluster.image} (${sizeOf(ctx, h)}; unchanged files skipped) and run its init.sh (binaries, containerd, CNI plugins, the ${roleOf(h) === 'master' ? 'control-plane and node' : 'node'} images)`);
    for (const h of p.verify) ctx.intent(h.ip, 'same rootfs as installed: check every file on the host, repair what drifted');
  },
};
