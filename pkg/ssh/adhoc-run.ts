// `sealts exec` and `sealts cp` over the selected hosts: one pool, bounded fan-out, a result per host.
import { SshPool } from './pool.js';
import { forEachHost, type HostResult } from './fanout.js';
import type { LineSink, PoolOptions, Target, UploadResult } from './types.js';

export interface AdhocSettings {
  hostKeys: Pick<PoolOptions, 'knownHostsFiles' | 'recordUnknownTo'>;
  insecureIgnoreHostKey: boolean;
  concurrency: number;
  concurrentUploads?: number;
  onLine?: LineSink;
}

export interface ExecReport {
  host: string;
  ok: boolean;
  code?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
}

export interface CopyReport {
  host: string;
  ok: boolean;
  sent?: string[];
  skipped?: string[];
  error?: string;
}

async function withPool<T>(s: AdhocSettings, fn: (pool: SshPool) => Promise<T>): Promise<T> {
  const pool = new SshPool({
    ...s.hostKeys,
    insecureIgnoreHostKey: s.insecureIgnoreHostKey,
    concurrentUploads: s.concurrentUploads,
    onLine: s.onLine,
  });
  try {
    return await fn(pool);
  } finally {
    await pool.closeAll();
  }
}

function report<T, R>(r: HostResult<T>, ok: (v: T) => R): R | { host: string; ok: false; error: string } {
  if (r.ok) return ok(r.value as T);
  // HostError messages start with the host; the report names it already.
  const msg = r.error!.message;
  return { host: r.host, ok: false, error: msg.startsWith(`${r.host}: `) ? msg.slice(r.host.length + 2) : msg };
}

/** Run argv on every target; a non-zero exit is a failed host (its code and output kept). */
export async function execOnHosts(
  targets: readonly Target[],
  argv: readonly string[],
  opts: { sudo: boolean; timeoutMs?: number },
  s: AdhocSettings,
): Promise<ExecReport[]> {
  return withPool(s, async (pool) => {
    const results = await forEachHost(
      targets,
      async (t) => (await pool.connect(t)).exec(argv, { sudo: opts.sudo, timeoutMs: opts.timeoutMs, check: false, step: 'exec' }),
      { concurrency: s.concurrency },
    );
    return results.map((r) => report(r, (v) => ({ host: r.host, ok: v.code === 0, code: v.code, stdout: v.stdout, stderr: v.stderr })));
  });
}

/** Upload a file or directory into `dest` on every target. */
export async function copyToHosts(targets: readonly Target[], src: string, dest: string, opts: { sudo: boolean }, s: AdhocSettings): Promise<CopyReport[]> {
  return withPool(s, async (pool) => {
    const results = await forEachHost(targets, async (t) => (await pool.connect(t)).upload(src, dest, { sudo: opts.sudo }), {
      concurrency: s.concurrency,
    });
    return results.map((r) => report(r, (v: UploadResult) => ({ host: r.host, ok: true, sent: v.sent, skipped: v.skipped })));
  });
}
