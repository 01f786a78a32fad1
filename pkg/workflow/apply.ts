// `sealts apply -f FILE`: make the hosts match the Clusterfile. The workflow is its list of phases;
// connect, gather facts and decide only read, so `plan` runs the same list as a dry run.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { masters, type Cluster } from '../clusterfile/types.js';
import type { Phase } from '../phase/types.js';
import { KeyPool, keysNeeded } from '../pki/index.js';
import type { ClusterRun } from './context.js';
import { withCluster, type RunFlags } from './open.js';
import { executeRun, startRun, type RunStreams } from './run.js';
import { connect } from './phases/connect.js';
import { gatherFactsPhase } from './phases/gather-facts.js';
import { decidePhase } from './phases/decide.js';
import { pushRootfsPhase } from './phases/push-rootfs.js';
import { rollRootfs } from './phases/roll-rootfs.js';
import { certs } from './phases/certs.js';
import { init } from './phases/init.js';
import { joinMasters } from './phases/join-masters.js';
import { removeStale } from './phases/remove-hosts.js';
import { vip } from './phases/vip.js';
import { joinNodes } from './phases/join-nodes.js';
import { podNetwork } from './phases/pod-network.js';
import { adminKubeconfig } from './phases/kubeconfig.js';
import { saveState } from './phases/save-state.js';

export const APPLY_PHASES: ReadonlyArray<Phase<ClusterRun>> = [
  connect,
  gatherFactsPhase,
  decidePhase(),
  pushRootfsPhase,
  rollRootfs,
  certs,
  init,
  joinMasters,
  removeStale,
  vip,
  joinNodes,
  podNetwork,
  adminKubeconfig,
  saveState,
];

export interface ApplyRequest extends RunStreams {
  /** The Clusterfile path as given (its text becomes the state's last applied Clusterfile). */
  clusterfilePath: string;
  cluster: Cluster;
  flags: RunFlags;
}

export async function applyCluster(req: ApplyRequest): Promise<void> {
  await withCluster({ flags: req.flags, clusterfile: { path: req.clusterfilePath, cluster: req.cluster }, lock: true, command: 'apply', needs: { image: true } }, async (c) => {
    const { session, ctx } = await startRun(c, { command: 'apply', flags: req.flags, stdout: req.stdout, stderr: req.stderr });
    // A first apply needs every key: they depend on nothing from the hosts, so the thread pool
    // makes them while SSH connects, facts come in and the rootfs is pushed.
    const hasCa = await access(join(ctx.pkiDir, 'ca.key')).then(() => true, () => false);
    if (!req.flags.dryRun && !hasCa) ctx.keyPool = new KeyPool(req.cluster.pki.keyAlgorithm, keysNeeded(masters(req.cluster).length, 0, true, req.cluster.runtime.type));
    await executeRun(session, APPLY_PHASES, ctx);
  });
}
