// A HostExec over the fleet's nsenter runner, for tests of steps that do not need SSH itself
// (the SSH engine has its own tests). Commands run under `sh -c` exactly as sshd would run them.
import type { Fleet, FleetHost } from '../fleet/index.js';
import type { HostExec } from '../../pkg/runtime/exec.js';
import type { ShellCommand } from '../../pkg/shell/quote.js';

export function fleetExec(fleet: Fleet, host: FleetHost, log?: string[]): HostExec {
  return {
    host: host.ip,
    async exec(cmd: ShellCommand, opts?: { stdin?: string | Buffer }) {
      log?.push(`${host.name}: ${cmd}`);
      // The fleet's runner has no EPIPE handler on stdin: when the command may exit before reading
      // all its input, drain the rest so the write always completes (the exit code is kept).
      const script = opts?.stdin !== undefined ? `${cmd}\nrc=$?; cat >/dev/null; exit $rc` : cmd;
      return fleet.run(host, ['sh', '-c', script], { input: opts?.stdin ?? '', timeoutMs: 120_000 });
    },
  };
}
