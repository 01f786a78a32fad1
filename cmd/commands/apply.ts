// `sealts apply -f FILE`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { loadClusterfile } from '../../pkg/clusterfile/index.js';
import { applyCluster } from '../../pkg/workflow/index.js';
import { action, example, globals } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('apply')
    .description('create or update the cluster so the hosts match the Clusterfile')
    .requiredOption('-f, --file <clusterfile>', 'the Clusterfile')
    .option('--no-relay', 'send the rootfs from this machine to every host, not through relay seeds (used above 8 hosts)')
    .action(
      action(async (opts: { file: string }, cmd: Command) => {
        const flags = globals(cmd);
        const cluster = await loadClusterfile(opts.file);
        await applyCluster({ clusterfilePath: opts.file, cluster, flags });
      }),
    );
  example(cmd, 'sealts apply -f Clusterfile --yes', 'sealts apply -f Clusterfile -o json --yes > result.json    # CI: one JSON document, exit code 0/1/2');
}
