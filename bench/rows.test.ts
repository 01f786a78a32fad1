// The row code of the benchmarks without a fleet: a failed run becomes a failed row carrying its
// error in full, the other rows keep their figures, medians and ratios skip failed runs, and the
// sealts worker connects with the product's own SshPool settings (no `retries: 0`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SshPool } from '../pkg/ssh/index.js';
import { failedRow, hasFailure, markdownTable, measure, medianRow, runPlan, toRow, withRatios, workerOpMs, type Measured, type Row } from './lib/measure.js';
import { workerPoolOptions } from './lib/worker-pool.js';
import { applyMarkdown } from './apply.js';
import { failedRealApplyRow, realApplyMarkdown } from './real-apply.js';

const measured = (wallMs: number, stdout = ''): Measured => ({ wallMs, cpuS: 0.5, peakRssMb: 12, code: 0, stdout, stderr: '' });
const row = (name: string, wallS: number, note?: string): Row => toRow(name, measured(wallS * 1000), note);

// Long enough that the old 5-line tail would have cut it; with a `|` that must not break the table.
const ERROR_LINES = [
  'sealts-worker fanout: 1 host(s) failed: 198.18.69.12: connect: 198.18.69.12:22: read ECONNRESET (gave up after 4 attempts)',
  '  198.18.69.12: connect: 198.18.69.12:22: read ECONNRESET (gave up after 4 attempts)',
  '    cause: read ECONNRESET',
  'results: [',
  '  { host: 198.18.69.12 | ok: false },',
  '],',
  'exitCode: 1',
];
const ERROR = ERROR_LINES.join('\n');

test('a failing row and a passing one: both in the table, the error in full on one line and in the list below', async () => {
  const plan = [
    ['ok row', async (name: string) => row(name, 2, 'all fine')],
    [
      'failing row',
      async () => {
        throw new Error(ERROR);
      },
    ],
  ] as const;
  const rows = withRatios(await runPlan(plan, 1), 'ok row');
  assert.deepEqual(rows.map((r) => r.name), ['ok row', 'failing row']);
  assert.equal(rows[0]!.wallS, 2);
  assert.equal(rows[0]!.ratio, 1);
  assert.equal(hasFailure(rows[0]!), false);
  assert.ok(hasFailure(rows[1]!));
  assert.ok(rows[1]!.error!.includes(ERROR), 'the error is kept whole');
  assert.ok(Number.isNaN(rows[1]!.wallS) && rows[1]!.ratio === undefined, 'a failed row has no figures');

  const table = markdownTable(rows, 'ok row');
  const lines = table.split('\n');
  assert.match(lines[2]!, /^\| ok row \| 2\.00 \| 1\.00 \| 0\.50 \| 12 \| all fine \|$/);
  const failed = lines[3]!;
  assert.match(failed, /^\| failing row \| — \| — \| — \| — \| \*\*FAILED\*\*: /);
  // One line: every line of the error, in order, joined; its `|` escaped so the row keeps 6 cells.
  const cell = ERROR_LINES.map((l) => l.trim().replace(/\|/g, '\\|')).join(' ⏎ ');
  assert.ok(failed.includes(cell), failed);
  assert.equal(failed.split(/(?<!\\)\|/).length - 2, 6);
  // Under the table: the full text, line for line.
  assert.match(table, /Failed runs, errors in full:\n\n- failing row:\n {2}```\n/);
  for (const l of ERROR_LINES) assert.ok(table.includes(`\n  ${l}\n`), `full text keeps: ${l}`);
  assert.doesNotMatch(table, /could not be computed/);
});

test('medians skip failed runs; a row whose every run failed has no figures and says why', async () => {
  let run = 0;
  const plan = [
    ['ref', async (name: string) => row(name, [4, 6, 5][run]!)],
    [
      'flaky',
      async (name: string) => {
        if (run === 1) throw new Error('dropped handshake\nsecond line');
        return row(name, [1, 9, 3][run]!);
      },
    ],
    [
      'dead',
      async () => {
        run++; // last row of each run
        throw new Error(`run ${run} failed\nwith details`);
      },
    ],
  ] as const;
  const rows = withRatios(await runPlan(plan, 3), 'ref');
  const [ref, flaky, dead] = rows as [Row, Row, Row];
  assert.equal(ref.wallS, 5);
  assert.equal(flaky.error, undefined);
  assert.equal(flaky.wallS, 3, 'upper median of the two runs that succeeded (1 and 3)');
  assert.equal(flaky.ratio, 3 / 5);
  assert.deepEqual(flaky.failures, [{ run: 2, error: failedRow('x', new Error('dropped handshake\nsecond line')).error }]);
  assert.ok(Number.isNaN(dead.wallS));
  assert.equal(dead.failures!.length, 3);
  const table = markdownTable(rows, 'ref');
  assert.match(table, /\| flaky \| 3\.00 \| 0\.60 \| .* \*\*1 of 3 runs failed\*\* \(median of the other 2; errors below\) \|/);
  assert.match(table, /\| dead \| — \| — \| — \| — \| \*\*FAILED\*\* \(all 3 runs\): run 1 failed ⏎ with details/);
  for (const label of ['flaky, run 2 of 3', 'dead, run 1 of 3', 'dead, run 2 of 3', 'dead, run 3 of 3']) assert.ok(table.includes(`- ${label}:\n`), label);
  assert.ok(table.includes('\n  with details\n'));
});

test('the reference row failed: no ratios, the table says why and keeps every row', () => {
  const rows = withRatios([row('sealts', 1.5), failedRow('pssh -p2 default KEX', new Error('parallel-ssh: not found')), row('OpenSSH loop', 2)], 'pssh -p2 default KEX');
  assert.ok(rows.every((r) => r.ratio === undefined));
  const table = markdownTable(rows, 'pssh -p2 default KEX');
  assert.match(table, /\| sealts \| 1\.50 \|  \|/);
  assert.match(table, /\| OpenSSH loop \| 2\.00 \|  \|/);
  assert.match(table, /Ratios could not be computed: the reference row "pssh -p2 default KEX" failed\./);
  assert.match(table, /parallel-ssh: not found/);
  assert.equal(medianRow([]).error, 'no runs');
});

test('a process that fails: exit code and the last lines of its stderr, not GNU time\'s report', async () => {
  const script = 'for i in $(seq 1 8); do echo "stderr line $i" >&2; done; exit 3';
  const err = await measure(['sh', '-c', script]).then(
    () => assert.fail('should reject'),
    (e: unknown) => e as Error,
  );
  const text = failedRow('sh', err).error!;
  assert.match(text, /^sh -c .*: exit 3\n/);
  for (let i = 1; i <= 8; i++) assert.ok(text.includes(`\nstderr line ${i}`), `line ${i} kept`);
  assert.doesNotMatch(text, /Maximum resident|Command exited with non-zero status|\t/);
  // A tool that is not installed (parallel-ssh, ansible): a failed row saying so, not a crash.
  const missing = failedRow('pssh', await measure(['sealts-bench-no-such-tool']).catch((e: unknown) => e)).error!;
  assert.match(missing, /exit 127\n.*sealts-bench-no-such-tool.*No such file or directory/);
  // Unparsable worker output.
  assert.throws(() => workerOpMs(measured(1000, 'Segmentation fault?\n')), /printed no \{"opMs": n\} result; stdout:\nSegmentation fault\?/);
  assert.equal(workerOpMs(measured(1000, '{"opMs": 42}\n')), 42);
});

test('the worker prints its whole error and exits 1; the row carries it', { timeout: 60_000 }, async () => {
  const worker = fileURLToPath(new URL('./lib/sealts-worker.ts', import.meta.url));
  const r = await measure([process.execPath, '--import', 'tsx', worker, 'bogus', '{}']).then(
    () => assert.fail('should reject'),
    (e: unknown) => failedRow('sealts', e),
  );
  assert.match(r.error!, /: exit 1\nsealts-worker bogus: usage: sealts-worker fanout\|push/);
});

test('the sealts worker connects with the product\'s SshPool settings: its defaults, no retries: 0', async () => {
  const opts = workerPoolOptions('/tmp/known_hosts', 7);
  for (const k of ['retries', 'retryDelayMs', 'connectTimeoutMs', 'keepaliveIntervalMs', 'insecureIgnoreHostKey'] as const) {
    assert.equal(k in opts, false, `${k} is left to the product's default`);
  }
  assert.deepEqual(opts.knownHostsFiles, ['/tmp/known_hosts']);
  // The settings the pool ends up with are those of a pool built as pkg/workflow/open.ts builds it.
  type Settings = { retries: number; retryDelayMs: number; connectTimeoutMs: number; keepaliveIntervalMs: number; insecureIgnoreHostKey: boolean };
  const settingsOf = (p: SshPool) => {
    const s = (p as unknown as { settings: Settings }).settings;
    return { retries: s.retries, retryDelayMs: s.retryDelayMs, connectTimeoutMs: s.connectTimeoutMs, keepaliveIntervalMs: s.keepaliveIntervalMs, insecureIgnoreHostKey: s.insecureIgnoreHostKey };
  };
  const bench = settingsOf(new SshPool(opts));
  assert.deepEqual(bench, settingsOf(new SshPool({ knownHostsFiles: ['/tmp/known_hosts'], recordUnknownTo: '/tmp/known_hosts' })));
  assert.ok(bench.retries > 0, `retries ${bench.retries}`);
  // And nobody put a retry setting back into the worker's source.
  for (const f of ['./lib/sealts-worker.ts', './lib/worker-pool.ts']) {
    const src = await readFile(new URL(f, import.meta.url), 'utf8');
    assert.doesNotMatch(src.replace(/^\s*\/\/.*$/gm, ''), /retries\s*:|retryDelayMs\s*:/, f);
  }
});

test('apply and real-apply tables: a failed shape is a row with its error in full; no ratio from it', () => {
  const md = applyMarkdown([{ masters: 1, nodes: 1, wallS: 12.34 }, { masters: 1, nodes: 2, wallS: NaN, error: 'sealts apply: exit 1\nhost-12: join: timed out' }], undefined);
  assert.match(md, /\| 2 \| 1 \| 1 \| 12\.3 \|/);
  assert.match(md, /\| 3 \| 1 \| 2 \| \*\*FAILED\*\*: sealts apply: exit 1 ⏎ host-12: join: timed out \|/);
  assert.match(md, /ratio large\/small: could not be computed \(failed: 1 masters \+ 2 nodes\)/);
  assert.match(md, /- 1 masters \+ 2 nodes:\n {2}```\n {2}sealts apply: exit 1\n {2}host-12: join: timed out\n/);
  assert.match(applyMarkdown([{ masters: 1, nodes: 1, wallS: 10 }, { masters: 1, nodes: 2, wallS: 15 }], 1.5), /ratio large\/small: 1\.50/);

  const ok = { masters: 1, nodes: 2, wallS: 50, criticalS: 18, ratio: 50 / 18, peakHostMiB: { 'host-11': 1600 }, peakMachineMiB: 4500, phasesS: { connect: 1.3 } };
  const real = realApplyMarkdown([ok, failedRealApplyRow(3, 2, new Error('fleet up: host-13 did not boot\nsshd: no answer'))]);
  assert.match(real, /\| 1 \+ 2 \| 50\.0 s \| 18\.0 s \| 2\.78 \| host-11 1600 \| 4500 \|/);
  assert.match(real, /\| 3 \+ 2 \| \*\*FAILED\*\*: fleet up: host-13 did not boot ⏎ sshd: no answer/);
  assert.match(real, /1 \+ 2 phases: connect 1\.3 s/);
  assert.match(real, /- 3 \+ 2:\n {2}```\n {2}fleet up: host-13 did not boot\n {2}sshd: no answer\n/);
});

test('re-apply table: a failed shape is a row with its error on one line, the ratio is the next re-apply over the floor', async () => {
  const { reapplyMarkdown } = await import('./reapply.js');
  const md = reapplyMarkdown([
    { shape: 'stand-ins (1 masters + 1 nodes)', hosts: 2, reapplyS: 3, secondS: 0.6, floorS: 0.2, startS: 0.3, phases: 'Connect 0.05' },
    { shape: 'REAL', hosts: 2, reapplyS: NaN, floorS: NaN, error: ERROR },
  ]);
  const lines = md.split('\n');
  assert.equal(lines.length, 4, md);
  assert.match(lines[2]!, /^\| stand-ins \(1 masters \+ 1 nodes\) \| 2 \| 3\.00 \| 0\.60 \| 0\.20 \| 3\.00 \| <= 3 \| 0\.30 \| Connect 0\.05 \|$/);
  assert.match(lines[3]!, /^\| REAL \| 2 \| \*\*FAILED\*\*: sealts-worker fanout: .* ⏎ .*exitCode: 1 \|/);
  assert.ok(lines[3]!.includes('198.18.69.12 \\| ok: false'), 'a | in the error is escaped: the table keeps its shape');
});
