// `sealts status`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { clusterStatus } from '../../pkg/workflow/index.js';
import { action, example, globals } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('status')
    .description('show the cluster\'s hosts: recorded roles, reachability, kubelet and node state')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        await clusterStatus({ flags: globals(cmd) });
      }),
    );
  example(cmd, 'sealts status', 'sealts --cluster prod status -o json');
}
