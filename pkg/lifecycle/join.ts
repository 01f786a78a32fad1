// `sealts join`: add masters and/or nodes to an applied cluster (their SSH settings come from its Clusterfile).
import { joinCluster } from '../runtime/engine/join.js';
import type { RunFlags } from './types.js';

export interface JoinRequest {
  /** Expanded, de-duplicated IPs (an `ip:port` entry keeps its port). */
  masters: string[];
  nodes: string[];
  flags: RunFlags;
}

export async function joinHosts(req: JoinRequest): Promise<void> {
  const f = req.flags;
  await joinCluster({ cluster: f.cluster, masters: req.masters, nodes: req.nodes, dryRun: f.dryRun, concurrency: f.concurrency, output: f.output, debug: f.debug, yes: f.yes });
}
