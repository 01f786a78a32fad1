// From the Clusterfile's view of a host to what the SSH engine needs.
import type { HostSpec } from '../clusterfile/types.js';
import type { Connection } from './connection.js';
import type { ExecResult, Target, UploadResult } from './types.js';
import type { ShellCommand } from '../shell/quote.js';

export function targetOf(h: HostSpec): Target {
  return { name: h.ip, ip: h.ip, port: h.ssh.port, ssh: h.ssh };
}

/**
 * The non-throwing `{ host, exec }` view used by pkg/runtime and pkg/rootfs (their `HostExec`):
 * exit codes are returned, not thrown; sudo is applied when the login user is not root.
 */
export function hostExecOf(conn: Connection): {
  readonly host: string;
  exec(cmd: ShellCommand, opts?: { stdin?: string | Buffer }): Promise<ExecResult>;
  upload(src: string, dest: string): Promise<UploadResult>;
} {
  return {
    host: conn.target.name,
    exec: (cmd, opts) => conn.exec(cmd, { stdin: opts?.stdin, sudo: true, check: false }),
    upload: (src, dest) => conn.upload(src, dest, { sudo: true }),
  };
}
