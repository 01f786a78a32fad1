// What delete/join/kubeconfig/status share: the applied cluster (stored Clusterfile + state.json)
// and an SSH pool that trusts the keys recorded for it.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseClusterfile } from '../../clusterfile/index.js';
import type { Cluster } from '../../clusterfile/types.js';
import { UserError } from '../../errors/errors.js';
import { SshPool } from '../../ssh/index.js';
import type { LineSink } from '../../ssh/types.js';
import { openState, resolveClusterName, type ClusterState, type StateFile } from '../../state/index.js';

export interface AppliedCluster {
  state: ClusterState;
  stateFile: StateFile;
  cluster: Cluster;
}

export async function openApplied(clusterFlag: string | undefined): Promise<AppliedCluster> {
  const name = await resolveClusterName(clusterFlag);
  const state = openState(name);
  const stateFile = await state.read();
  const text = await state.readClusterfile();
  if (!stateFile || text === undefined) throw new UserError(`cluster ${name}: nothing applied yet (no ${state.statePath})`);
  return { state, stateFile, cluster: parseClusterfile(text, state.clusterfilePath) };
}

export async function poolFor(state: ClusterState, onLine: LineSink): Promise<SshPool> {
  const knownHosts = await state.knownHostsPath();
  return new SshPool({ knownHostsFiles: [join(homedir(), '.ssh', 'known_hosts'), knownHosts], recordUnknownTo: knownHosts, onLine });
}
