// The host layer: the least a step needs from a host connection: run one ShellCommand, optionally
// with stdin, and get its exit code and output. pkg/ssh's connection provides it over SSH
// (hostExecOf); tests may provide it directly (e.g. through the fleet's nsenter). Kept structural
// on purpose so rootfs, vip, pki and runtime steps do not depend on how the bytes travel, and sit
// above this layer rather than importing each other.
import type { HostSpec } from '../clusterfile/types.js';
import type { ShellCommand } from '../shell/quote.js';
import { HostError } from '../errors/errors.js';
import type { Connection } from '../ssh/connection.js';
import type { SshPool } from '../ssh/pool.js';
import type { UploadFile, UploadSource } from '../ssh/types.js';
import { targetOf } from '../ssh/target.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostExecOptions {
  /** An async iterable stays open as long as it yields (the relay's server stops at its end). */
  stdin?: string | Buffer | AsyncIterable<Uint8Array>;
  /** Keep stdout out of the host log (the command prints key material or bulk data). */
  quiet?: boolean;
  /** Shown in the host log instead of the command (sealts' own long helper scripts). */
  display?: string;
}

export interface HostExec {
  /** The host's address, used to name it in errors. */
  readonly host: string;
  exec(cmd: ShellCommand, opts?: HostExecOptions): Promise<ExecResult>;
  /**
   * Every file under the local directory `src` (or the files listed, each with its name under
   * `dest`) into the remote directory `dest`, streamed, sent only when its sha256 differs, verified
   * on the host and renamed into place (pkg/ssh's upload).
   */
  upload(src: string | readonly UploadFile[], dest: string, opts?: { source?: UploadSource }): Promise<{ sent: readonly string[]; skipped: readonly string[] }>;
}

/** Run and require exit 0; the error names the host and the step, with the line of output that says why. */
export async function execOk(h: HostExec, step: string, cmd: ShellCommand, opts?: HostExecOptions): Promise<string> {
  const r = await h.exec(cmd, opts);
  if (r.code !== 0) throw stepFailed(h.host, step, r);
  return r.stdout;
}

/** The error of a step whose command exited non-zero: its code and the line of output that says why. */
export function stepFailed(host: string, step: string, r: ExecResult): HostError {
  const why = lastWords(r.stderr) || lastWords(r.stdout);
  return new HostError(host, step, `exit ${r.code}${why ? `: ${why}` : ''}`);
}

// kubeadm (and other cobra tools) end a failure with this hint, after the line that says what failed.
const TRAILER = /^To see the stack trace of this error/;

/** The line of a failed command's output that says why: its last, minus a tool's closing hint. */
function lastWords(out: string): string {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !TRAILER.test(l));
  return lines.at(-1) ?? '';
}

/**
 * The non-throwing view of an SSH connection every step uses: exit codes are returned, not thrown;
 * commands run as root (sudo when the login user is not root), with the host's environment (the
 * connection's target carries `spec.env` merged with its group's `env`: see pkg/ssh/target.ts).
 */
export function hostExecOf(conn: Connection): HostExec {
  return {
    host: conn.target.name,
    exec: (cmd, opts) => conn.exec(cmd, { stdin: opts?.stdin, quiet: opts?.quiet, display: opts?.display, sudo: true, check: false }),
    upload: (src, dest, opts) => conn.upload(src, dest, { sudo: true, ...opts }),
  };
}

/** The one way a step gets a host: the pool's (reused) connection to it. */
export async function connectHost(pool: SshPool, h: HostSpec): Promise<HostExec> {
  return hostExecOf(await pool.connect(targetOf(h)));
}
