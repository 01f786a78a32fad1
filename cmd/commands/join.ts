// `sealts join --masters IPS --nodes IPS`: flags only; the work is in pkg/workflow.
import type { Command } from 'commander';
import { UserError } from '../../pkg/errors/errors.js';
import { joinHosts } from '../../pkg/workflow/index.js';
import { action, disjoint, example, globals, ipListFlag } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('join')
    .description('add masters and/or nodes to the cluster')
    .option('--masters <ips>', 'masters to add: a,b  ip:port  198.18.0.11-198.18.0.13')
    .option('--nodes <ips>', 'nodes to add, same forms as --masters')
    .option('--no-relay', 'send the rootfs from this machine to every host, not through relay seeds (used above 8 hosts)')
    .action(
      action(async (opts: { masters?: string; nodes?: string }, cmd: Command) => {
        const flags = globals(cmd);
        const masters = ipListFlag('--masters', opts.masters);
        const nodes = ipListFlag('--nodes', opts.nodes);
        if (masters.length === 0 && nodes.length === 0) throw new UserError('join: give --masters and/or --nodes');
        disjoint({ flag: '--masters', ips: masters }, { flag: '--nodes', ips: nodes });
        await joinHosts({ masters, nodes, flags });
      }),
    );
  example(cmd, 'sealts join --nodes 198.18.0.14-198.18.0.16', 'sealts --cluster prod join --masters 198.18.0.12,198.18.0.13');
}
