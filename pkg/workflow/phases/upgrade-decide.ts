// Upgrade, decide: the upgrade plan from the facts just gathered (pkg/plan/upgrade.ts); whatever
// it refuses (a downgrade, a skipped minor, a host not in the cluster, a kubelet ahead of the
// control plane) stops the run before any host changes.
import { MultiHostError, UserError } from '../../errors/errors.js';
import type { Phase } from '../../phase/types.js';
import { decideUpgrade } from '../../plan/upgrade.js';
import type { UpgradeRun } from '../upgrade.js';

export const upgradeDecide: Phase<UpgradeRun> = {
  title: 'Decide the upgrade from the facts',
  readOnly: true,
  run: async (ctx) => {
    const p = decideUpgrade(ctx.cluster, ctx.facts, `sealts upgrade -f ${ctx.clusterfilePath}`);
    ctx.upgrade = p;
    if (p.problems.length === 0) return;
    if (p.problems.every((x) => x.host)) throw new MultiHostError(p.problems.map((x) => ({ host: x.host!, error: new Error(`refused: ${x.problem}`) })));
    const lines = p.problems.map((x) => (x.host ? `${x.host}: ${x.problem}` : x.problem));
    throw new UserError(lines[0]!, lines.slice(1));
  },
  dryRun: (ctx) => {
    const p = ctx.upgrade!;
    ctx.intent(undefined, p.controlPlanes.length + p.kubelets.length === 0 ? `every host runs ${p.to}: nothing to do` : `${p.from} to ${p.to}`);
  },
};
