// `sealts etcd backup|restore`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { backupEtcd, restoreEtcd } from '../../pkg/workflow/index.js';
import { action, globals } from '../global.js';

export function register(program: Command): void {
  const etcd = program.command('etcd').description('back up and restore the cluster\'s etcd');
  etcd
    .command('backup')
    .description('a consistent etcd snapshot from a healthy member, copied here (0600) with a header file beside it (FILE.json)')
    .option('--out <file>', 'where to write it (default: ~/.sealts/<cluster>/backups/etcd-<time>.db)')
    .addHelpText('after', '\nExample:\n  sealts etcd backup --out /backups/prod-$(date +%F).db')
    .action(
      action(async (opts: { out?: string }, cmd: Command) => {
        await backupEtcd({ flags: globals(cmd), file: opts.out === undefined ? undefined : resolve(opts.out) });
      }),
    );
  etcd
    .command('restore')
    .description('put the whole cluster store back to a snapshot: etcd and the apiserver stopped on every master, restored, started, quorum awaited')
    .argument('<file>', 'a snapshot written by `sealts etcd backup` (its FILE.json beside it)')
    .addHelpText('after', '\nExample:\n  sealts etcd restore ~/.sealts/prod/backups/etcd-2026-12-02T05-00-00-000Z.db --yes')
    .action(
      action(async (file: string, _opts: unknown, cmd: Command) => {
        await restoreEtcd({ flags: globals(cmd), file: resolve(file) });
      }),
    );
}
