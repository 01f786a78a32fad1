// etcd restore: the snapshot checked against its header (same cluster, same sha256), then the
// runtime restores it on every master at once and waits for the new quorum to serve.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UserError } from '../../errors/errors.js';
import type { Phase } from '../../phase/types.js';
import type { EtcdRun } from '../etcd.js';
import { headerPath, type BackupHeader } from './etcd-backup.js';

export async function readBackup(file: string, cluster: string): Promise<Buffer> {
  const data = await readFile(file).catch(() => {
    throw new UserError(`${file}: no such snapshot`);
  });
  const text = await readFile(headerPath(file), 'utf8').catch(() => undefined);
  if (text === undefined) throw new UserError(`${headerPath(file)}: missing; a snapshot is restored only with the header \`sealts etcd backup\` wrote beside it`);
  const h = JSON.parse(text) as BackupHeader;
  if (h.cluster !== cluster) throw new UserError(`${file}: a snapshot of cluster ${h.cluster}, not of ${cluster}`);
  const sum = createHash('sha256').update(data).digest('hex');
  if (sum !== h.sha256) throw new UserError(`${file}: sha256 ${sum.slice(0, 12)}... is not the ${h.sha256.slice(0, 12)}... its header records (damaged or replaced)`);
  return data;
}

export const etcdRestore: Phase<EtcdRun> = {
  title: 'Restore etcd on every master',
  hosts: (ctx) => ctx.masters,
  run: async (ctx) => {
    const data = await readBackup(ctx.file, ctx.cluster.name);
    const down = ctx.masters.filter((m) => !ctx.members.get(m.ip)?.controlPlane);
    if (down.length > 0) throw new UserError(`restore needs every master running its control plane: ${down.map((m) => m.ip).join(', ')} does not`);
    await ctx.runtime.etcdRestore(ctx.masters, data);
  },
  dryRun: (ctx) => {
    for (const m of ctx.masters) ctx.intent(m.ip, `stop etcd and the apiserver, restore ${ctx.file} as this member, start, wait for the quorum`);
  },
};
