// One authenticated SSH connection to one host, reused by every step of a run. Each exec opens a
// channel on it (OpenSSH allows 10 per connection, so at most 8 run at once).
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { LimitFunction } from 'p-limit';
import { HostError } from '../errors/errors.js';
import { isSecret, redact } from '../secret/secret.js';
import { literal, sh } from '../shell/quote.js';
import { runOnChannel } from './channel.js';
import type { Link } from './link.js';
import { newSudoMarkers, toShell, wrap, type Wrapping } from './remote-command.js';
import { uploadFiles } from './upload.js';
import type { Command, ExecOptions, ExecResult, LineSink, Target, UploadFile, UploadOptions, UploadResult, WriteFileOptions } from './types.js';

/** Lines of stderr quoted in a failure message. */
const STDERR_TAIL = 5;

interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** A host's shared connection seen with one Target's settings (name for logs, sudo password). */
export class Connection {
  constructor(
    readonly target: Target,
    private readonly link: Link,
    private readonly log: LineSink,
    /** Shared by the pool: bounds uploads running at once across hosts. */
    readonly uploadSlots: LimitFunction,
  ) {}

  /** False once the connection dropped; the pool then opens a new one. */
  get alive(): boolean {
    return this.link.lost === undefined;
  }

  get isRoot(): boolean {
    return this.target.ssh.user === 'root';
  }

  /** Run a command; see ExecOptions. A non-zero exit throws unless `check: false`. */
  async exec(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.execRaw(cmd, opts);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  }

  /** Like exec, with stdout as bytes (file contents). */
  async execRaw(cmd: Command, opts: ExecOptions = {}): Promise<RawResult> {
    const shell = toShell(cmd);
    const shown = redact(opts.display ?? shell);
    const step = opts.step ?? (typeof cmd === 'string' ? shown.split(' ')[0] ?? 'exec' : (cmd as readonly string[])[0] ?? 'exec');
    // The host's environment (the Clusterfile's spec.env and hosts[].env) under every command; the call's own over it.
    const env = { ...this.target.env, ...opts.env };
    const wrapping: Wrapping = { env, timeoutMs: opts.timeoutMs };
    if (opts.sudo && !this.isRoot) {
      wrapping.sudo = this.target.ssh.sudoPasswd ? 'password' : 'nopasswd';
      if (wrapping.sudo === 'password') wrapping.markers = newSudoMarkers();
    }
    this.log(this.target.name, 'cmd', `${opts.sudo && !this.isRoot ? '[sudo] ' : ''}${shown}`);
    const started = performance.now();
    const r = await this.link.channels(() =>
      runOnChannel(this.link, wrap(shell, wrapping), { host: this.target.name, user: this.target.ssh.user, sudoPasswd: this.target.ssh.sudoPasswd, wrapping, opts, shown, step, log: this.log }),
    );
    this.log(this.target.name, 'exit', `${r.code} after ${Math.round(performance.now() - started)} ms: ${step}`);
    if (opts.timeoutMs !== undefined && r.timedOut) {
      throw new HostError(this.target.name, step, `\`${shown}\` timed out after ${opts.timeoutMs} ms and was killed`);
    }
    if (r.code !== 0 && opts.check !== false) {
      const tail = r.stderr.trim().split('\n').slice(-STDERR_TAIL).join(' | ');
      const hint = wrapping.sudo === 'nopasswd' && /a password is required/.test(r.stderr) ? ' (sudo needs a password: set ssh.sudoPasswd)' : '';
      throw new HostError(this.target.name, step, `\`${shown}\` exited ${r.code}${tail ? `: ${tail}` : ''}${hint}`);
    }
    return r;
  }

  /** A TCP channel from the host to ip:port (a bastion reaching the hosts behind it). */
  forward(ip: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.link.client.forwardOut('127.0.0.1', 0, ip, port, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
  }

  /** A remote file's bytes. */
  async readFile(path: string, opts: { sudo?: boolean } = {}): Promise<Buffer> {
    const r = await this.execRaw(sh(['cat', '--', path]), { sudo: opts.sudo, quiet: true, step: `read ${path}` });
    return r.stdout;
  }

  /**
   * Write a small file (config, certificate) atomically in one exec: the content goes to a temp
   * file beside it, is checked against its sha256, and replaces the file only when it differs
   * (rename(2)); the mode is set either way. Returns whether the content changed.
   */
  async writeFile(dest: string, content: string | Buffer | import('../secret/secret.js').Secret, mode: number, opts: WriteFileOptions = {}): Promise<boolean> {
    const bytes = isSecret(content) ? Buffer.from(content.reveal()) : Buffer.from(content);
    const want = createHash('sha256').update(bytes).digest('hex');
    const octal = (mode & 0o7777).toString(8);
    const r = await this.exec(sh(['sh', '-c', WRITE_IF_CHANGED, 'sh', dest, want, octal]), {
      sudo: opts.sudo,
      step: opts.step ?? `write ${dest}`,
      stdin: isSecret(content) ? content : bytes,
      quiet: true,
      display: `write ${dest} (${bytes.length} bytes, mode ${octal}) atomically`,
    });
    return r.stdout.trim() === 'changed';
  }

  /** Upload a file or directory (or named files) into the directory `dest`; see upload.ts. */
  async upload(src: string | readonly UploadFile[], dest: string, opts: UploadOptions = {}): Promise<UploadResult> {
    return uploadFiles(this, src, dest, opts);
  }
}

/**
 * stdin -> temp file beside "$1", verify sha256 "$2"; when "$1" already has that content keep it,
 * else rename the temp file over it; chmod "$3" either way. Prints "same" or "changed".
 */
const WRITE_IF_CHANGED = literal(
  [
    'set -e',
    'dir=$(dirname -- "$1")',
    'mkdir -p -- "$dir"',
    'tmp=$(mktemp -- "$1.sealts-XXXXXX")',
    'trap \'rm -f -- "$tmp"\' EXIT',
    'cat > "$tmp"',
    'got=$(sha256sum < "$tmp" | cut -d" " -f1)',
    '[ "$got" = "$2" ] || { echo "sha256 mismatch after transfer: got $got" >&2; exit 1; }',
    'if [ -f "$1" ] && [ "$(sha256sum < "$1" | cut -d" " -f1)" = "$2" ]; then chmod "$3" "$1"; echo same; exit 0; fi',
    'chmod "$3" "$tmp"',
    'mv -f -- "$tmp" "$1"',
    'trap - EXIT',
    'echo changed',
  ].join('\n'),
);
