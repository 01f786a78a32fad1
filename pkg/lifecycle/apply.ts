// `sealts apply`: make the hosts match the Clusterfile. Engine: the runtime issue (pkg/runtime + pkg/plan).
import type { Cluster } from '../clusterfile/types.js';
import { applyCluster as runApply } from '../runtime/engine/apply.js';
import type { RunFlags } from './types.js';

export interface ApplyRequest {
  /** The Clusterfile path as given (its text becomes the state's last applied Clusterfile). */
  clusterfilePath: string;
  cluster: Cluster;
  flags: RunFlags;
}

export async function applyCluster(req: ApplyRequest): Promise<void> {
  const f = req.flags;
  await runApply({ clusterfilePath: req.clusterfilePath, cluster: req.cluster, dryRun: f.dryRun, concurrency: f.concurrency, output: f.output, debug: f.debug, yes: f.yes });
}
