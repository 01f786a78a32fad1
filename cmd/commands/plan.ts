// `sealts plan -f FILE`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { planCluster } from '../../pkg/workflow/index.js';
import { action, globals } from '../global.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('show what apply would do, decided from the hosts\' facts as apply decides (-o yaml: the Clusterfile with every default filled in and the kubeadm documents apply would write)')
    .requiredOption('-f, --file <clusterfile>', 'the Clusterfile')
    .option('--offline', 'contact no host: only the rendered documents (-o yaml|json), as for new hosts')
    .action(
      action(async (opts: { file: string; offline?: boolean }, cmd: Command) => {
        await planCluster({ file: opts.file, flags: globals(cmd), offline: opts.offline });
      }),
    );
}
