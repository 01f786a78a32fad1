// Upgrade, install: the new rootfs on every member, all at once, before anything restarts: the
// new kubeadm where it runs, and every image the new version's pods need already imported (kube-proxy
// and CoreDNS move on every node as soon as the control plane is upgraded). Replacing a binary does
// not restart what runs it; containerd restarts only when its own binary changes (its containers live on).
import type { Phase } from '../../phase/types.js';
import type { UpgradeRun } from '../upgrade.js';
import { installRootfs } from './push-rootfs.js';

export const upgradeInstall: Phase<UpgradeRun> = {
  title: 'Install the new rootfs (nothing restarted)',
  hosts: (ctx) => (ctx.upgrade!.controlPlanes.length + ctx.upgrade!.kubelets.length === 0 ? [] : ctx.upgrade!.install),
  run: async (ctx) => {
    await installRootfs(ctx, ctx.upgrade!.install, () => true);
  },
  dryRun: (ctx) => {
    for (const h of ctx.upgrade!.install) ctx.intent(h.ip, `upload ${ctx.cluster.image} and run its init.sh (${ctx.upgrade!.to} binaries and images)`);
  },
};
