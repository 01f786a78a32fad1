// `sealts delete`: remove some hosts, or (--all) the whole cluster, then archive its state.
import { deleteCluster } from '../runtime/engine/delete.js';
import type { RunFlags } from './types.js';

export interface DeleteRequest {
  masters: string[];
  nodes: string[];
  all: boolean;
  /** Carry on when a host is unreachable (drop it from the cluster and state anyway). */
  force: boolean;
  flags: RunFlags;
}

export async function deleteHosts(req: DeleteRequest): Promise<void> {
  const f = req.flags;
  await deleteCluster({ cluster: f.cluster, masters: req.masters, nodes: req.nodes, all: req.all, force: req.force, dryRun: f.dryRun, concurrency: f.concurrency, output: f.output, debug: f.debug });
}
