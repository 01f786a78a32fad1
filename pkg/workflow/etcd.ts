// `sealts etcd backup [--out FILE]` and `sealts etcd restore FILE`: each its list of phases over the
// applied cluster's masters. Scheduling is a cron job's business; the command is what it calls.
import { join } from 'node:path';
import { masters, type HostSpec } from '../clusterfile/types.js';
import type { Phase } from '../phase/types.js';
import type { MemberFacts } from '../runtime/index.js';
import type { ClusterRun } from './context.js';
import { withCluster, type RunFlags } from './open.js';
import { notForK0s } from '../runtime/index.js';
import { executeRun, startRun } from './run.js';
import { etcdMasters } from './phases/etcd-masters.js';
import { etcdBackup } from './phases/etcd-backup.js';
import { etcdRestore } from './phases/etcd-restore.js';

export interface EtcdRun extends ClusterRun {
  /** The masters the state records. */
  masters: HostSpec[];
  members: Map<string, MemberFacts>;
  via?: HostSpec;
  /** The snapshot file (written by backup, read by restore). */
  file: string;
}

export const ETCD_BACKUP_PHASES: ReadonlyArray<Phase<EtcdRun>> = [etcdMasters, etcdBackup];
export const ETCD_RESTORE_PHASES: ReadonlyArray<Phase<EtcdRun>> = [etcdMasters, etcdRestore];

export interface EtcdRequest {
  flags: RunFlags;
  /** backup: where to write (default: the state directory's backups/); restore: the snapshot. */
  file?: string;
}

async function runEtcd(command: 'etcd backup' | 'etcd restore', phases: ReadonlyArray<Phase<EtcdRun>>, o: EtcdRequest): Promise<void> {
  await withCluster({ flags: o.flags, lock: true, command }, async (c) => {
    if (c.cluster.runtime.type === 'k0s') throw notForK0s(`sealts ${command}`, `run \`k0s ${command === 'etcd backup' ? 'backup' : 'restore'}\` on a controller`);
    const { session, ctx: base } = await startRun(c, { command, flags: o.flags });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = o.file ?? join(c.state.dir, 'backups', `etcd-${stamp}.db`);
    const ctx = Object.assign(base, { masters: masters(c.cluster).filter((m) => c.stateFile!.hosts[m.ip]), members: new Map(), file }) as EtcdRun;
    await executeRun(session, phases, ctx);
  });
}

export const backupEtcd = (o: EtcdRequest) => runEtcd('etcd backup', ETCD_BACKUP_PHASES, o);
export const restoreEtcd = (o: EtcdRequest & { file: string }) => runEtcd('etcd restore', ETCD_RESTORE_PHASES, o);
