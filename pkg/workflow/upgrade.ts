// `sealts upgrade -f FILE`: the Clusterfile names the new version and a rootfs of it. The workflow
// is its list of phases; `--dry-run` shows the upgrade host by host, decided from the same facts.
import type { Cluster } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import type { Phase } from '../phase/types.js';
import type { UpgradePlan } from '../plan/upgrade.js';
import type { ClusterRun } from './context.js';
import { withCluster, type RunFlags } from './open.js';
import { notForK0s } from '../runtime/index.js';
import { executeRun, startRun, type RunStreams } from './run.js';
import { connect } from './phases/connect.js';
import { gatherFactsPhase } from './phases/gather-facts.js';
import { upgradeDecide } from './phases/upgrade-decide.js';
import { upgradeInstall } from './phases/upgrade-install.js';
import { upgradeControlPlanes } from './phases/upgrade-control-plane.js';
import { upgradeKubelets } from './phases/upgrade-kubelets.js';
import { upgradeSave } from './phases/upgrade-save.js';

export interface UpgradeRun extends ClusterRun {
  upgrade?: UpgradePlan;
  /** Nodes drained at the same time. */
  maxUnavailable: number;
}

export const UPGRADE_PHASES: ReadonlyArray<Phase<UpgradeRun>> = [connect, gatherFactsPhase, upgradeDecide, upgradeInstall, upgradeControlPlanes, upgradeKubelets, upgradeSave];

export interface UpgradeRequest extends RunStreams {
  clusterfilePath: string;
  cluster: Cluster;
  flags: RunFlags;
  maxUnavailable: number;
}

export async function upgradeCluster(req: UpgradeRequest): Promise<void> {
  if (!Number.isInteger(req.maxUnavailable) || req.maxUnavailable < 1) throw new UserError(`--max-unavailable: expected a positive integer, got ${req.maxUnavailable}`);
  if (req.cluster.runtime.type === 'k0s') throw notForK0s('sealts upgrade', "k0s upgrades itself (its autopilot); sealts' upgrade drives kubeadm");
  await withCluster({ flags: req.flags, clusterfile: { path: req.clusterfilePath, cluster: req.cluster }, lock: true, command: 'upgrade', needs: { image: true } }, async (c) => {
    if (!c.stateFile) throw new UserError(`cluster ${req.cluster.name}: sealts holds no state for it here (sealts adopt -f ${req.clusterfilePath} first)`);
    const { session, ctx: base } = await startRun(c, { command: 'upgrade', flags: req.flags, stdout: req.stdout, stderr: req.stderr });
    const ctx = Object.assign(base, { maxUnavailable: req.maxUnavailable }) as UpgradeRun;
    await executeRun(session, UPGRADE_PHASES, ctx);
  });
}
