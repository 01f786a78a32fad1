// The least a runtime step needs from a host connection: run one ShellCommand, optionally with
// stdin, and get its exit code and output. pkg/ssh's connection provides it over SSH; tests may
// provide it directly (e.g. through the fleet's nsenter). Kept structural on purpose so rootfs,
// vip and kubeadm steps do not depend on how the bytes travel.
import type { ShellCommand } from '../shell/quote.js';
import { HostError } from '../errors/errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostExec {
  /** The host's address, used to name it in errors. */
  readonly host: string;
  exec(cmd: ShellCommand, opts?: { stdin?: string | Buffer }): Promise<ExecResult>;
  /**
   * Every file under the local directory `src` into the remote directory `dest`, streamed, sent only
   * when its sha256 differs, verified on the host and renamed into place (pkg/ssh's upload).
   */
  upload(src: string, dest: string): Promise<{ sent: readonly string[]; skipped: readonly string[] }>;
}

/** Run and require exit 0; the error names the host and the step, with the first stderr line. */
export async function execOk(h: HostExec, step: string, cmd: ShellCommand, opts?: { stdin?: string | Buffer }): Promise<string> {
  const r = await h.exec(cmd, opts);
  if (r.code !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? '';
    throw new HostError(h.host, step, `exit ${r.code}${why ? `: ${why}` : ''}`);
  }
  return r.stdout;
}
