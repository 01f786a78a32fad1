// etcd backup, the snapshot: taken on a healthy member, copied back, written 0600 with a header
// beside it (cluster, version, members, time, sha256), so a restore can check what it is given.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Phase } from '../../phase/types.js';
import { writeFileAtomic } from '../../state/atomic.js';
import type { EtcdRun } from '../etcd.js';

export interface BackupHeader {
  cluster: string;
  kubernetesVersion: string;
  takenAt: string;
  from: string;
  members: Array<{ name: string; peerURLs: string[] }>;
  sha256: string;
  bytes: number;
}

export const headerPath = (file: string) => `${file}.json`;

export const etcdBackup: Phase<EtcdRun> = {
  title: 'Snapshot etcd',
  run: async (ctx) => {
    const snap = await ctx.runtime.etcdSnapshot(ctx.via!);
    const header: BackupHeader = {
      cluster: ctx.cluster.name,
      kubernetesVersion: ctx.cluster.runtime.version,
      takenAt: new Date().toISOString(),
      from: ctx.via!.ip,
      members: snap.members,
      sha256: createHash('sha256').update(snap.data).digest('hex'),
      bytes: snap.data.length,
    };
    await mkdir(dirname(ctx.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(ctx.file, snap.data, { mode: 0o600 });
    await writeFileAtomic(headerPath(ctx.file), `${JSON.stringify(header, null, 2)}\n`, { mode: 0o600 });
    ctx.info(`etcd snapshot of ${header.members.length} member(s), ${header.bytes} bytes, sha256 ${header.sha256.slice(0, 12)}...: ${ctx.file}`);
  },
  dryRun: (ctx) => ctx.intent(ctx.via?.ip, `etcdctl snapshot save, copied to ${ctx.file} (0600) with ${headerPath(ctx.file)}`),
};
