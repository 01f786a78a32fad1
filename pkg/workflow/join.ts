// `sealts join --masters/--nodes`: add hosts to the stored Clusterfile and apply it. The apply
// decides from the facts that the cluster runs and only joins the new hosts; the stored
// Clusterfile is replaced by the extended one when the apply saves its state.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseClusterfile } from '../clusterfile/index.js';
import { UserError } from '../errors/errors.js';
import { applyCluster } from './apply.js';
import { addHostsToClusterfile } from './clusterfile-edit.js';
import { withCluster, type RunFlags } from './open.js';

export interface JoinRequest {
  /** Expanded, de-duplicated IPs (an `ip:port` entry keeps its port). */
  masters: string[];
  nodes: string[];
  flags: RunFlags;
}

export async function joinHosts(o: JoinRequest): Promise<void> {
  const { next, text } = await withCluster({ flags: o.flags, lock: false, command: 'join', needs: { keys: false } }, async ({ state, cluster }) => {
    for (const ip of [...o.masters, ...o.nodes]) {
      const bare = ip.includes(':') ? ip.slice(0, ip.lastIndexOf(':')) : ip;
      if (cluster.hosts.some((h) => h.ip === bare)) throw new UserError(`join: ${bare} is already a host of cluster ${cluster.name}`);
    }
    let text = (await state.readClusterfile())!;
    text = addHostsToClusterfile(text, state.clusterfilePath, o.masters, 'master');
    text = addHostsToClusterfile(text, state.clusterfilePath, o.nodes, 'node');
    return { next: join(state.dir, 'Clusterfile.join'), text, dir: state.dir };
  });
  await writeFile(next, text, { mode: 0o600 });
  try {
    const extended = parseClusterfile(text, next, { baseDir: join(next, '..') });
    await applyCluster({ clusterfilePath: next, cluster: extended, flags: o.flags });
  } finally {
    await rm(next, { force: true });
  }
}
