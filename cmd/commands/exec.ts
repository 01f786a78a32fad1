// `sealts exec [host flags] -- CMD ARGS...`: run argv on every selected host over SSH.
import type { Command } from 'commander';
import { MultiHostError, UserError } from '../../pkg/errors/errors.js';
import { quoted } from '../../pkg/errors/show.js';
import { execOnHosts } from '../../pkg/ssh/adhoc-index.js';
import { action, example, globals } from '../global.js';
import { addHostFlags, adhocSettings, printStructured, resolveHosts, type HostFlags } from './host-flags.js';

export function register(program: Command): void {
  const cmd = addHostFlags(
    program
      .command('exec')
      .description('run a command on every host of a cluster or an ad-hoc list (argv, never a shell string)')
      .argument('<command...>', 'the command and its arguments, after --'),
  )
    .option('--timeout <seconds>', 'kill the command on a host after this long')
    .action(
      action(async (argv: string[], f: HostFlags & { timeout?: string }, cmd: Command) => {
        const g = globals(cmd);
        const timeoutS = f.timeout === undefined ? undefined : Number(f.timeout);
        if (timeoutS !== undefined && !(timeoutS > 0)) throw new UserError(`--timeout: expected seconds > 0, got ${quoted(f.timeout)}`);
        const sel = await resolveHosts(f, g);
        const reports = await execOnHosts(
          sel.targets,
          argv,
          { sudo: Boolean(f.sudo), timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000 },
          adhocSettings(sel, f, g, g.output === 'text'),
        );
        if (g.output !== 'text') printStructured(g.output, reports);
        const failed = reports.filter((r) => !r.ok);
        if (failed.length > 0) {
          throw new MultiHostError(failed.map((r) => ({ host: r.host, error: new Error(r.error ?? `exit ${r.code}`) })));
        }
      }),
    );
  example(cmd, 'sealts exec --roles node -- uptime', 'sealts exec --hosts 198.18.0.11,198.18.0.12 --user admin --pk ~/.ssh/id_ed25519 --sudo -- systemctl status kubelet');
}
