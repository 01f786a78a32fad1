// Upgrade, control plane: masters one at a time, the first with `upgrade apply` for the whole
// cluster, each ready again before the next starts (the others keep serving through the VIP).
import type { Phase } from '../../phase/types.js';
import type { UpgradeRun } from '../upgrade.js';

export const upgradeControlPlanes: Phase<UpgradeRun> = {
  title: 'Upgrade the control plane (one master at a time)',
  hosts: (ctx) => ctx.upgrade!.controlPlanes.map((c) => c.host),
  run: async (ctx) => {
    for (const c of ctx.upgrade!.controlPlanes) {
      await ctx.forEachHost([c.host], (h) => ctx.runtime.upgradeControlPlane(h, ctx.upgrade!.to, c.first));
    }
  },
  dryRun: (ctx) => {
    for (const c of ctx.upgrade!.controlPlanes) ctx.intent(c.host.ip, c.first ? `kubeadm upgrade apply ${ctx.upgrade!.to} (the cluster's control plane)` : 'kubeadm upgrade node (this master\'s control plane)');
  },
};
