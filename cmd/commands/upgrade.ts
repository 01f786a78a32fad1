// `sealts upgrade -f FILE`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { loadClusterfile } from '../../pkg/clusterfile/index.js';
import { upgradeCluster } from '../../pkg/workflow/index.js';
import { action, globals } from '../global.js';

export function register(program: Command): void {
  program
    .command('upgrade')
    .description('upgrade the running cluster to the Clusterfile\'s version (one minor at a time): control plane first, one master at a time, then the kubelets (nodes in batches)')
    .requiredOption('-f, --file <clusterfile>', 'the Clusterfile, naming the new version and a rootfs of it')
    .option('--max-unavailable <n>', 'nodes drained at the same time', '1')
    .option('--no-relay', 'send the rootfs from this machine to every host, not through relay seeds (used above 8 hosts)')
    .addHelpText('after', '\nExample:\n  sealts upgrade -f Clusterfile --dry-run    # the upgrade, host by host\n  sealts upgrade -f Clusterfile --yes')
    .action(
      action(async (opts: { file: string; maxUnavailable: string }, cmd: Command) => {
        const cluster = await loadClusterfile(opts.file);
        await upgradeCluster({ clusterfilePath: opts.file, cluster, flags: globals(cmd), maxUnavailable: Number(opts.maxUnavailable) });
      }),
    );
}
