// `sealts delete [--masters IPS] [--nodes IPS] [--all] [--force]`: flags and confirmation only.
import type { Command } from 'commander';
import { UserError } from '../../pkg/errors/errors.js';
import { deleteHosts } from '../../pkg/workflow/index.js';
import { confirm } from '../../pkg/output/confirm.js';
import { action, disjoint, example, globals, ipListFlag } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('delete')
    .description('remove hosts from the cluster, or the whole cluster with --all')
    .option('--masters <ips>', 'masters to remove: a,b  ip:port  198.18.0.11-198.18.0.13')
    .option('--nodes <ips>', 'nodes to remove, same forms as --masters')
    .option('--all', 'remove every host and archive the local state')
    .option('--force', 'carry on when a host cannot be reached or cleaned')
    .action(
      action(async (opts: { masters?: string; nodes?: string; all?: boolean; force?: boolean }, cmd: Command) => {
        const flags = globals(cmd);
        const masters = ipListFlag('--masters', opts.masters);
        const nodes = ipListFlag('--nodes', opts.nodes);
        const all = Boolean(opts.all);
        if (all && (masters.length > 0 || nodes.length > 0)) throw new UserError('delete: --all cannot be combined with --masters/--nodes');
        if (!all && masters.length === 0 && nodes.length === 0) throw new UserError('delete: give --masters and/or --nodes, or --all');
        disjoint({ flag: '--masters', ips: masters }, { flag: '--nodes', ips: nodes });
        const cluster = flags.cluster ? `cluster ${flags.cluster}` : 'the cluster';
        const what = all ? `delete ${cluster} and reset all its hosts` : `remove ${[...masters, ...nodes].join(', ')} from ${cluster}`;
        // A dry run changes nothing, so it needs no confirmation.
        if (!flags.dryRun) await confirm(`${what}?`, { yes: flags.yes });
        await deleteHosts({ masters, nodes, all, force: Boolean(opts.force), flags });
      }),
    );
  example(cmd, 'sealts delete --nodes 198.18.0.16 --yes', 'sealts --cluster prod delete --all --yes');
}
