// Shared by the SSH engine's fleet tests: targets for the fleet's users and a pool that records
// every log line.
import type { Fleet, FleetHost } from '../fleet/index.js';
import { SshPool, type LineKind, type PoolOptions, type Target } from '../../pkg/ssh/index.js';
import { Secret } from '../../pkg/secret/secret.js';
import type { SshConfig } from '../../pkg/clusterfile/types.js';

export type User = 'root' | 'ops' | 'ops2';

/** A target logging in by the fleet key; ops2 also carries its sudo password. */
export function target(fleet: Fleet, h: FleetHost, user: User = 'root', extra: Partial<SshConfig> = {}): Target {
  const ssh: SshConfig = { user, port: 22, pk: fleet.keyPath, ...extra };
  if (user === 'ops2' && !('sudoPasswd' in extra)) ssh.sudoPasswd = new Secret(fleet.users.ops2.password);
  return { name: h.name, ip: h.ip, port: 22, ssh };
}

export interface LoggedLine {
  host: string;
  kind: LineKind;
  line: string;
}

/** A pool verifying against the fleet's known_hosts, collecting log lines in `lines`. */
export function pool(fleet: Fleet, opts: Partial<PoolOptions> = {}): { pool: SshPool; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const p = new SshPool({
    knownHostsFiles: [fleet.knownHostsPath],
    retries: 1,
    retryDelayMs: 200,
    connectTimeoutMs: 5000,
    ...opts,
    onLine: (host, kind, line) => lines.push({ host, kind, line }),
  });
  return { pool: p, lines };
}

/** Established TCP connections to the host's sshd (seen from inside the host). */
export async function sshConnectionCount(fleet: Fleet, h: FleetHost): Promise<number> {
  const out = await fleet.runOk(h, ['ss', '-Htn', 'state', 'established', '( sport = :22 )']);
  return out.split('\n').filter((l) => l.trim() !== '').length;
}
