// Runs local programs for the fleet: always argv (execFile, no shell), errors carry stderr.
import { execFile, spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv and resolves with its exit code and output; never rejects on a non-zero exit. */
export function run(argv: readonly string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err); // ENOENT etc.
        const code = err ? (typeof err.code === 'number' ? err.code : 128) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Runs argv and returns stdout; a non-zero exit rejects with the command and its stderr. */
export async function must(argv: readonly string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/**
 * Starts a long-lived process detached from this one (a host must outlive a crashed test runner),
 * output appended to logFd. Resolves with its PID once spawned; onExit hears how it ended, if this
 * process is still alive then.
 */
export function startDetached(
  argv: readonly string[],
  logFd: number,
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void,
): Promise<number> {
  const [file, ...args] = argv;
  if (!file) throw new Error('startDetached: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', logFd, logFd] });
    child.once('error', reject);
    if (onExit) child.once('exit', onExit);
    child.once('spawn', () => {
      child.unref();
      if (child.pid === undefined) reject(new Error(`${file}: no pid`));
      else resolve(child.pid);
    });
  });
}
