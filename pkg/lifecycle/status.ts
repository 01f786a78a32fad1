// `sealts status`: the cluster's hosts as recorded and as they are now (reachable, kubelet, node ready).
import { NotImplementedError } from '../errors/errors.js';
import type { RunFlags } from './types.js';

export interface StatusRequest {
  flags: RunFlags;
}

export async function clusterStatus(_req: StatusRequest): Promise<void> {
  throw new NotImplementedError('sealts status');
}
