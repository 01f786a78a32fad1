// `sealts adopt -f FILE`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { loadClusterfile } from '../../pkg/clusterfile/index.js';
import { adoptCluster } from '../../pkg/workflow/index.js';
import { action, globals } from '../global.js';

export function register(program: Command): void {
  program
    .command('adopt')
    .description('take over a cluster that runs on the Clusterfile\'s hosts but has no local state here (PKI read back and verified; no host changes)')
    .requiredOption('-f, --file <clusterfile>', 'the Clusterfile of the running cluster')
    .addHelpText('after', '\nExample:\n  sealts adopt -f Clusterfile && sealts apply -f Clusterfile')
    .action(
      action(async (opts: { file: string }, cmd: Command) => {
        const cluster = await loadClusterfile(opts.file);
        await adoptCluster({ clusterfilePath: opts.file, cluster, flags: globals(cmd) });
      }),
    );
}
