// `sealts plan -f FILE`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { planCluster } from '../../pkg/workflow/index.js';
import { action, example, globals } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('plan')
    .description('show what apply would do, decided from the hosts\' facts as apply decides (-o yaml: the Clusterfile with every default filled in and the kubeadm documents apply would write)')
    .requiredOption('-f, --file <clusterfile>', 'the Clusterfile')
    .option('--offline', 'contact no host: only the rendered documents (-o yaml|json), as for new hosts')
    .action(
      action(async (opts: { file: string; offline?: boolean }, cmd: Command) => {
        await planCluster({ file: opts.file, flags: globals(cmd), offline: opts.offline });
      }),
    );
  example(cmd, 'sealts plan -f Clusterfile                      # what apply would do on these hosts', 'sealts plan -f Clusterfile -o yaml --offline    # the documents apply would write, no host contacted');
}
