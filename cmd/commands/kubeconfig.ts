// `sealts kubeconfig [--out FILE]`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { writeKubeconfig } from '../../pkg/workflow/index.js';
import { action, globals } from '../global.js';

export function register(program: Command): void {
  program
    .command('kubeconfig')
    .description('write an admin kubeconfig for the cluster (0600), or print it')
    .option('--out <file>', 'write it here instead of printing it')
    .option('--merge', 'merge it into ~/.kube/config as a context named after the cluster')
    .option('--server <url>', 'API server URL to put in it (default: https://<master0>:6443)')
    .action(
      action(async (opts: { out?: string; merge?: boolean; server?: string }, cmd: Command) => {
        await writeKubeconfig({ out: opts.out, merge: opts.merge, server: opts.server, flags: globals(cmd) });
      }),
    );
}
