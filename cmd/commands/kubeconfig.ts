// `sealts kubeconfig [--out FILE]`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { UserError } from '../../pkg/errors/errors.js';
import { writeKubeconfig } from '../../pkg/workflow/index.js';
import { action, example, globals } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('kubeconfig')
    .description('write an admin kubeconfig for the cluster (0600), or print it')
    .option('--out <file>', 'write it here instead of printing it')
    .option('--merge', 'merge it into $KUBECONFIG\'s first file or ~/.kube/config as a context named after the cluster (other contexts kept)')
    .option('--use', 'with --merge: make it the current context (default: the current context is kept)')
    .option('--server <url>', 'API server URL to put in it (default: the VIP when it answers from here, a cluster node; else the first master answering on 6443)')
    .action(
      action(async (opts: { out?: string; merge?: boolean; use?: boolean; server?: string }, cmd: Command) => {
        if (opts.merge && opts.out !== undefined) throw new UserError('kubeconfig: --merge writes into your kubeconfig, --out to a file of its own: give one of them');
        await writeKubeconfig({ out: opts.out, merge: opts.merge, use: opts.use, server: opts.server, flags: globals(cmd) });
      }),
    );
  example(
    cmd,
    'sealts kubeconfig --out admin.conf && kubectl --kubeconfig admin.conf get nodes',
    'sealts --cluster prod kubeconfig --merge --use --server https://prod.example.com:6443',
  );
}
