// Measuring one benchmark row: a command run under GNU time (-v) for wall time, CPU seconds and
// peak RSS of the process tree's biggest process, as the kernel reports them.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Measured {
  wallMs: number;
  /** user + system CPU seconds of the command and its children */
  cpuS: number;
  /** peak resident set size (largest single process), MB */
  peakRssMb: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Run argv under `/usr/bin/time -v`; rejects unless it exits 0 (the stderr tail says why). */
export function measure(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string; allowFailure?: boolean } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-v', ...argv], { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const num = (label: string): number => Number(new RegExp(`${label}: ([0-9.]+)`).exec(stderr)?.[1] ?? NaN);
      const r: Measured = {
        wallMs,
        cpuS: num('User time \\(seconds\\)') + num('System time \\(seconds\\)'),
        peakRssMb: num('Maximum resident set size \\(kbytes\\)') / 1024,
        code: code ?? -1,
        stdout,
        stderr,
      };
      if (r.code !== 0 && !opts.allowFailure) {
        const tail = stderr.split('\n').filter((l) => !/^\t/.test(l) && l.trim() !== '').slice(-5).join(' | ');
        return reject(new Error(`${argv.slice(0, 3).join(' ')} ...: exit ${r.code}: ${tail}`));
      }
      resolve(r);
    });
  });
}

export interface Row {
  name: string;
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  /** wall time relative to the reference row of the table */
  ratio?: number;
  note?: string;
}

export function toRow(name: string, m: Measured, note?: string): Row {
  return { name, wallS: m.wallMs / 1000, cpuS: m.cpuS, peakRssMb: m.peakRssMb, note };
}

/** Median of several runs of the same row (by wall time). */
export function medianRow(rows: Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.wallS - b.wallS);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function withRatios(rows: Row[], reference: string): Row[] {
  const ref = rows.find((r) => r.name === reference);
  return rows.map((r) => ({ ...r, ratio: ref ? r.wallS / ref.wallS : undefined }));
}

export function markdownTable(rows: Row[], reference: string): string {
  const lines = [`| row | wall s | x ${reference} | CPU s | peak RSS MB | note |`, '|---|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.wallS.toFixed(2)} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${os.release()}, Node ${process.version}`;
}

/** OpenSSH options every external row shares: the fleet key, strict host keys, no prompts. */
export function opensshOptions(keyPath: string, knownHosts: string, kex?: string): string[] {
  const o = ['-i', keyPath, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20'];
  if (kex) o.push('-o', `KexAlgorithms=${kex}`);
  return o;
}

export const CURVE25519 = 'curve25519-sha256';

/**
 * The sealts worker compiled once to plain JavaScript (as shipped), so its rows do not pay for
 * TypeScript transpilation at start-up. Dependencies stay in node_modules (not bundled).
 */
export async function compiledWorker(): Promise<string> {
  const { build } = await import('esbuild');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out = path.join(here, '../../node_modules/.cache/sealts-bench/sealts-worker.mjs');
  await build({ entryPoints: [path.join(here, 'sealts-worker.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'error' });
  return out;
}
