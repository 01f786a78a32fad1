// The one way every command opens a cluster: its Clusterfile (the one given with -f, or the one
// stored when it was applied), its local state, the lock when the command changes it, and an SSH
// pool that trusts the host keys recorded for it. `withCluster` closes all of it, whatever happens.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseClusterfile } from '../clusterfile/index.js';
import type { Cluster } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import type { OutputFormat } from '../output/format.js';
import { SshPool } from '../ssh/index.js';
import type { LineSink } from '../ssh/types.js';
import { InterruptedError, onInterrupt } from '../phase/interrupt.js';
import { errorDocument, writeDocument, wroteDocument } from '../output/document.js';
import { checkLocalInputs, type LocalInputNeeds } from './local-inputs.js';
import { openState, resolveClusterName, type ClusterState, type Lock, type StateFile } from '../state/index.js';

/** What every command receives from its flags, already validated (cmd/global.ts). */
export interface RunFlags {
  /** --cluster; undefined = the only cluster in the sealts home. */
  cluster?: string;
  concurrency: number;
  dryRun: boolean;
  output: OutputFormat;
  yes: boolean;
  /** Not --no-relay (apply, join, upgrade): pushes to many hosts go through relay seeds. */
  relay: boolean;
  debug: boolean;
  /** --quiet: no progress, no notes or warnings, no text summary of a run that succeeded: errors only. */
  quiet: boolean;
}

export interface OpenOptions {
  flags: RunFlags;
  /** The Clusterfile given with -f (apply, plan, adopt); without it, the cluster's stored one. */
  clusterfile?: { path: string; cluster: Cluster };
  /** The command changes the cluster: take its lock (not in a dry run). */
  lock: boolean;
  /** Names the command in the lock and in messages. */
  command?: string;
  /** Local files checked before anything else (default: the SSH keys, not the image). */
  needs?: Partial<LocalInputNeeds>;
}

export interface OpenedCluster {
  cluster: Cluster;
  /** The Clusterfile's path: the given one, or the stored copy. */
  clusterfilePath: string;
  state: ClusterState;
  /** state.json as it is now (undefined: never applied, or the local state was lost). */
  stateFile: StateFile | undefined;
  /** A pool trusting ~/.ssh/known_hosts and the cluster's own known_hosts (new keys recorded there). */
  pool(onLine: LineSink): Promise<SshPool>;
}

export async function withCluster<T>(o: OpenOptions, fn: (c: OpenedCluster) => Promise<T>): Promise<T> {
  let cluster: Cluster;
  let clusterfilePath: string;
  let state: ClusterState;
  if (o.clusterfile) {
    cluster = o.clusterfile.cluster;
    clusterfilePath = o.clusterfile.path;
    if (o.flags.cluster !== undefined && o.flags.cluster !== cluster.name) {
      throw new UserError(`--cluster ${o.flags.cluster} contradicts ${clusterfilePath}, which names cluster ${cluster.name}`);
    }
    state = openState(cluster.name);
  } else {
    state = openState(await resolveClusterName(o.flags.cluster));
    const text = await state.readClusterfile();
    if (text === undefined || !(await state.read())) throw new UserError(`cluster ${state.name}: nothing applied yet (no ${state.statePath})`);
    clusterfilePath = state.clusterfilePath;
    cluster = parseClusterfile(text, clusterfilePath, { baseDir: state.dir });
  }
  await checkLocalInputs(cluster, { keys: o.needs?.keys ?? true, image: o.needs?.image ?? false });
  // A corrupt state.json stops every command (exit 2) rather than being taken for "no state".
  const stateFile = await state.read();
  const lock: Lock | undefined =
    o.lock && !o.flags.dryRun ? await state.lock({ command: o.command, warn: (line) => o.flags.quiet || process.stderr.write(`warning: ${line}\n`) }) : undefined;
  // A signal outside a run (a run takes it first and unwinds through the finally below): the lock
  // goes with the process, not left for the next command to take over.
  const command = o.command ?? 'sealts';
  const released = onInterrupt((signal) => {
    const e = new InterruptedError(signal, '');
    process.stderr.write(`${command}: ${e.message}${lock ? '; lock released' : ''}${o.lock ? `; run ${command} again to resume` : ''}\n`);
    lock?.releaseNow();
    if (o.flags.output !== 'text' && !wroteDocument()) writeDocument(o.flags.output, errorDocument(command, e));
    process.exit(e.exitCode);
  });
  // However the process ends (a second signal exits at once), the lock goes with it.
  const releaseAtExit = () => lock?.releaseNow();
  if (lock) process.on('exit', releaseAtExit);
  const pools: SshPool[] = [];
  try {
    return await fn({
      cluster,
      clusterfilePath,
      state,
      stateFile,
      pool: async (onLine) => {
        const knownHosts = await state.knownHostsPath();
        const pool = new SshPool({ knownHostsFiles: [join(homedir(), '.ssh', 'known_hosts'), knownHosts], recordUnknownTo: knownHosts, onLine });
        pools.push(pool);
        return pool;
      },
    });
  } finally {
    for (const p of pools) await p.closeAll();
    released();
    // At once, not awaited: a second signal may end the process any moment now.
    lock?.releaseNow();
    process.off('exit', releaseAtExit);
  }
}
