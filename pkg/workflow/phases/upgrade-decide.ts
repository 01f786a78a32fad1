// Upgrade, decide: the upgrade plan from the facts just gathered (pkg/plan/upgrade.ts); whatever
// it refuses (a downgrade, a skipped minor, a host not in the cluster, a kubelet ahead of the
// control plane) stops the run before any host changes.
import type { Phase } from '../../phase/types.js';
import { refuseOn } from '../../plan/index.js';
import { decideUpgrade } from '../../plan/upgrade.js';
import type { UpgradeRun } from '../upgrade.js';

export const upgradeDecide: Phase<UpgradeRun> = {
  title: 'Decide the upgrade from the facts',
  readOnly: true,
  run: async (ctx) => {
    const p = decideUpgrade(ctx.cluster, ctx.facts, `sealts upgrade -f ${ctx.clusterfilePath}`);
    ctx.upgrade = p;
    refuseOn(p.problems);
  },
  dryRun: (ctx) => {
    const p = ctx.upgrade!;
    ctx.intent(undefined, p.controlPlanes.length + p.kubelets.length === 0 ? `every host runs ${p.to}: nothing to do` : `${p.from} to ${p.to}`);
  },
};
