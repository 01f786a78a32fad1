// `sealts join --masters/--nodes`: add hosts to the stored Clusterfile and apply it. The apply
// sees the existing hosts in the state and only joins the new ones; the stored Clusterfile is
// replaced by the extended one when the apply saves its state.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseClusterfile } from '../../clusterfile/index.js';
import { UserError } from '../../errors/errors.js';
import { applyCluster } from './apply.js';
import { addHostsToClusterfile } from './clusterfile-edit.js';
import { openApplied } from './open-cluster.js';

export interface JoinOptions {
  cluster?: string;
  masters: string[];
  nodes: string[];
  dryRun: boolean;
  concurrency: number;
  output: 'text' | 'json' | 'yaml';
  debug: boolean;
  yes: boolean;
}

export async function joinCluster(o: JoinOptions): Promise<void> {
  const { state, cluster } = await openApplied(o.cluster);
  for (const ip of [...o.masters, ...o.nodes]) {
    const bare = ip.includes(':') ? ip.slice(0, ip.lastIndexOf(':')) : ip;
    if (cluster.hosts.some((h) => h.ip === bare)) throw new UserError(`join: ${bare} is already a host of cluster ${cluster.name}`);
  }
  let text = (await state.readClusterfile())!;
  text = addHostsToClusterfile(text, state.clusterfilePath, o.masters, 'master');
  text = addHostsToClusterfile(text, state.clusterfilePath, o.nodes, 'node');
  const next = join(state.dir, 'Clusterfile.join');
  await writeFile(next, text, { mode: 0o600 });
  try {
    const extended = parseClusterfile(text, next, { baseDir: state.dir });
    await applyCluster({ clusterfilePath: next, cluster: extended, dryRun: o.dryRun, concurrency: o.concurrency, output: o.output, debug: o.debug, yes: o.yes });
  } finally {
    await rm(next, { force: true });
  }
}
