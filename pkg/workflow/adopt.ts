// `sealts adopt -f FILE`: take over a running cluster whose local state was lost (or that another
// sealts home made): its PKI read back from a master and verified, its state rebuilt from the
// facts and the cluster's own record. No host changes.
import type { Cluster } from '../clusterfile/types.js';
import type { Phase } from '../phase/types.js';
import type { ClusterRun } from './context.js';
import { withCluster, type RunFlags } from './open.js';
import { executeRun, startRun, type RunStreams } from './run.js';
import { connect } from './phases/connect.js';
import { gatherFactsPhase } from './phases/gather-facts.js';
import { decidePhase } from './phases/decide.js';
import { adoptPki } from './phases/adopt-pki.js';
import { adoptSave } from './phases/adopt-save.js';

export const ADOPT_PHASES: ReadonlyArray<Phase<ClusterRun>> = [connect, gatherFactsPhase, decidePhase({ adopting: true }), adoptPki, adoptSave];

export interface AdoptRequest extends RunStreams {
  clusterfilePath: string;
  cluster: Cluster;
  flags: RunFlags;
}

export async function adoptCluster(req: AdoptRequest): Promise<void> {
  await withCluster({ flags: req.flags, clusterfile: { path: req.clusterfilePath, cluster: req.cluster }, lock: true, command: 'adopt' }, async (c) => {
    const { session, ctx } = await startRun(c, { command: 'adopt', flags: req.flags, stdout: req.stdout, stderr: req.stderr });
    await executeRun(session, ADOPT_PHASES, ctx);
  });
}
