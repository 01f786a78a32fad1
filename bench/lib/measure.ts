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

/** Lines GNU time adds to stderr: its tab-indented report and its exit-status line (the exit code is in the message; a "terminated by signal" line is kept). */
function isTimeReport(line: string): boolean {
  return /^\t/.test(line) || /^Command exited with non-zero status \d+$/.test(line);
}

/** The last `n` non-empty lines of a process's output (GNU time's report left out), as they were. */
export function lastLines(text: string, n = 40): string {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !isTimeReport(l));
  const kept = lines.slice(-n);
  return (lines.length > n ? [`[... ${lines.length - n} earlier lines]`, ...kept] : kept).join('\n');
}

/** A short name of a command line for error messages (a long `sh -c` script is cut). */
export function commandName(argv: readonly string[]): string {
  return argv.slice(0, 3).map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(' ') + (argv.length > 3 ? ' ...' : '');
}

/** A measured process that failed: the message carries the exit code and the last lines of stderr. */
export class ProcessError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly measured: Measured,
  ) {
    const tail = lastLines(measured.stderr);
    super(`${commandName(argv)}: exit ${measured.code}${tail ? `\n${tail}` : ' (nothing on stderr)'}`);
    this.name = 'ProcessError';
  }
}

/** Run argv under `/usr/bin/time -v`; rejects with a ProcessError unless it exits 0 with GNU time's report. */
export function measure(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string; allowFailure?: boolean } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-v', ...argv], { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.on('error', () => {}); // a command that exits without reading stdin: its error is its exit code
    child.stdin.end(opts.input ?? '');
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      const num = (label: string): number => Number(new RegExp(`${label}: ([0-9.]+)`).exec(stderr)?.[1] ?? NaN);
      const r: Measured = {
        wallMs,
        cpuS: num('User time \\(seconds\\)') + num('System time \\(seconds\\)'),
        peakRssMb: num('Maximum resident set size \\(kbytes\\)') / 1024,
        code: code ?? -1,
        stdout,
        stderr: signal ? `${stderr}\n/usr/bin/time killed by ${signal}` : stderr,
      };
      if (opts.allowFailure) return resolve(r);
      if (r.code !== 0) return reject(new ProcessError(argv, r));
      if (!Number.isFinite(r.cpuS) || !Number.isFinite(r.peakRssMb)) {
        return reject(new Error(`${commandName(argv)}: exit 0 but GNU time printed no report; stderr:\n${lastLines(stderr) || '(empty)'}`));
      }
      resolve(r);
    });
  });
}

function isBug(e: Error): boolean {
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError;
}

/** A failed run's error in full: the message (a ProcessError's has the stderr tail), its causes, or for
 * an execFile error the exit code and the last lines of its stderr. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const x = e as Error & { stderr?: unknown; stdout?: unknown; code?: unknown; signal?: unknown; cmd?: unknown };
  let text: string;
  if (typeof x.stderr === 'string' && typeof x.cmd === 'string') {
    // child_process.execFile: its message repeats the whole stderr after the command line.
    const how = x.signal ? `killed by ${String(x.signal)}` : `exit ${String(x.code)}`;
    const tail = lastLines(x.stderr) || (typeof x.stdout === 'string' ? lastLines(x.stdout, 20) : '');
    text = `${x.cmd.length > 200 ? `${x.cmd.slice(0, 197)}...` : x.cmd}: ${how}${tail ? `\n${tail}` : ' (no output)'}`;
  } else {
    // A stack only for what looks like a bug in the benchmark itself; any other error's message says it all.
    text = isBug(e) ? (e.stack ?? e.message) : e.message;
  }
  for (let c: unknown = e.cause, depth = 0; c !== undefined && depth < 5; c = c instanceof Error ? c.cause : undefined, depth++) {
    const m = c instanceof Error ? c.message : String(c);
    if (!text.includes(m)) text += `\ncause: ${m}`;
  }
  return text;
}

export interface Row {
  name: string;
  /** NaN when the row failed (no figures) */
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  /** wall time relative to the reference row of the table */
  ratio?: number;
  note?: string;
  /** Set when the row has no figures: why it failed, in full (for a median row: its first failed run's error). */
  error?: string;
  /** After medianRow: how many runs were made, and each failed run's error in full (run numbers from 1). */
  runs?: number;
  failures?: RunFailure[];
}

export interface RunFailure {
  run: number;
  error: string;
}

/** The sealts worker's {"opMs": n} line; an error naming what it printed instead. */
export function workerOpMs(m: Measured): number {
  let opMs: unknown;
  try {
    opMs = (JSON.parse(m.stdout) as { opMs?: unknown }).opMs;
  } catch {
    opMs = undefined;
  }
  if (typeof opMs !== 'number' || !Number.isFinite(opMs)) {
    const err = lastLines(m.stderr);
    throw new Error(`sealts worker printed no {"opMs": n} result; stdout:\n${lastLines(m.stdout, 20) || '(empty)'}${err ? `\nstderr:\n${err}` : ''}`);
  }
  return opMs;
}

export function toRow(name: string, m: Measured, note?: string): Row {
  return { name, wallS: m.wallMs / 1000, cpuS: m.cpuS, peakRssMb: m.peakRssMb, note };
}

/** The row of a run that failed: no figures, the error in full. */
export function failedRow(name: string, e: unknown): Row {
  return { name, wallS: NaN, cpuS: NaN, peakRssMb: NaN, error: errorText(e) };
}

/** One run of a row: whatever goes wrong (a non-zero exit, an exception, unparsable output) becomes a failed row. */
export async function runRow(name: string, fn: () => Promise<Row>): Promise<Row> {
  try {
    return await fn();
  } catch (e) {
    return failedRow(name, e);
  }
}

/** A row of a table, or a row some of whose runs failed. */
export function hasFailure(r: Row): boolean {
  return r.error !== undefined || (r.failures?.length ?? 0) > 0;
}

/** Median of several runs of the same row (by wall time), over the runs that did not fail; their errors are kept. */
export function medianRow(rows: Row[]): Row {
  const failures = rows.flatMap((r, i) => (r.error === undefined ? [] : [{ run: i + 1, error: r.error }]));
  const ok = rows.filter((r) => r.error === undefined).sort((a, b) => a.wallS - b.wallS);
  const name = rows[0]?.name ?? '?';
  if (ok.length === 0) {
    return { name, wallS: NaN, cpuS: NaN, peakRssMb: NaN, error: failures[0]?.error ?? 'no runs', runs: rows.length, failures };
  }
  const median = ok[Math.floor(ok.length / 2)]!;
  return { ...median, runs: rows.length, failures };
}

/**
 * Runs every row of the plan `runs` times, interleaved run by run (so a slow moment of a shared machine
 * hits every row), each run isolated by runRow; returns each row's median over its runs that succeeded.
 */
export async function runPlan(plan: ReadonlyArray<readonly [name: string, run: (name: string) => Promise<Row>]>, runs: number): Promise<Row[]> {
  const names = plan.map(([n]) => n);
  if (new Set(names).size !== names.length) throw new Error(`duplicate row names in the plan: ${names.join(', ')}`);
  const results = new Map<string, Row[]>(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of plan) results.get(name)!.push(await runRow(name, () => fn(name)));
  }
  return names.map((n) => medianRow(results.get(n)!));
}

/** Wall time of each row relative to the reference row; none when that row failed or is missing. */
export function withRatios(rows: Row[], reference: string): Row[] {
  const ref = rows.find((r) => r.name === reference && r.error === undefined && r.wallS > 0);
  return rows.map((r) => ({ ...r, ratio: ref && r.error === undefined ? r.wallS / ref.wallS : undefined }));
}

/** An error (or any text) on one line for a Markdown table cell: lines joined with ⏎, pipes escaped. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ⏎ ')
    .replace(/\|/g, '\\|');
}

/** The errors of failed runs, in full, as a Markdown list (empty when nothing failed). */
export function failureList(items: ReadonlyArray<{ label: string; error: string }>): string {
  if (items.length === 0) return '';
  const fence = (t: string) => ['  ```', ...t.split('\n').map((l) => `  ${l}`), '  ```'].join('\n');
  return ['Failed runs, errors in full:', '', ...items.map((i) => `- ${i.label}:\n${fence(i.error)}`)].join('\n');
}

/** The rows' failed runs as failureList items. */
export function rowFailures(rows: readonly Row[]): Array<{ label: string; error: string }> {
  return rows.flatMap((r) => {
    const fs = r.failures ?? (r.error === undefined ? [] : [{ run: 1, error: r.error }]);
    const runs = r.runs ?? 1;
    return fs.map((f) => ({ label: runs > 1 ? `${r.name}, run ${f.run} of ${runs}` : r.name, error: f.error }));
  });
}

/**
 * The table (a failed row: no figures, "FAILED" and its error on one line in the note), then a line
 * when the ratios could not be computed, then every failed run's error in full.
 */
export function markdownTable(rows: Row[], reference: string): string {
  const f = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
  const lines = [`| row | wall s | x ${reference} | CPU s | peak RSS MB | note |`, '|---|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const failed = r.failures?.length ?? (r.error === undefined ? 0 : 1);
    const runs = r.runs ?? 1;
    let note = r.error === undefined ? oneLine(r.note ?? '') : '';
    if (r.error !== undefined) {
      note = `**FAILED**${runs > 1 ? ` (all ${runs} runs)` : ''}: ${oneLine(r.error)}`;
    } else if (failed > 0) {
      note = `${note ? `${note}; ` : ''}**${failed} of ${runs} runs failed** (median of the other ${runs - failed}; errors below)`;
    }
    const ratio = r.ratio === undefined ? (r.error === undefined ? '' : '—') : r.ratio.toFixed(2);
    lines.push(`| ${oneLine(r.name)} | ${f(r.wallS, 2)} | ${ratio} | ${f(r.cpuS, 2)} | ${f(r.peakRssMb, 0)} | ${note} |`);
  }
  const ref = rows.find((r) => r.name === reference);
  if (!ref) lines.push('', `Ratios could not be computed: there is no reference row "${reference}".`);
  else if (ref.error !== undefined) lines.push('', `Ratios could not be computed: the reference row "${reference}" failed.`);
  const list = failureList(rowFailures(rows));
  if (list) lines.push('', list);
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
