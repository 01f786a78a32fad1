// `sealts status`: the cluster's hosts as recorded and as they are now (reachable, kubelet, node ready).
import { clusterStatus as showStatus } from '../runtime/engine/status.js';
import type { RunFlags } from './types.js';

export interface StatusRequest {
  flags: RunFlags;
}

export async function clusterStatus(req: StatusRequest): Promise<void> {
  await showStatus({ cluster: req.flags.cluster, output: req.flags.output, concurrency: req.flags.concurrency });
}
