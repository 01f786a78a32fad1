// `sealts plan -f FILE`: flags only; the work is in pkg/lifecycle.
import type { Command } from 'commander';
import { planCluster } from '../../pkg/lifecycle/index.js';
import { action, globals } from '../global.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('validate the Clusterfile and show what apply would do (-o yaml: the Clusterfile with every default filled in and the kubeadm documents apply would write)')
    .requiredOption('-f, --file <clusterfile>', 'the Clusterfile')
    .action(
      action(async (opts: { file: string }, cmd: Command) => {
        await planCluster({ file: opts.file, flags: globals(cmd) });
      }),
    );
}
