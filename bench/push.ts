// Benchmark: push a directory of random data (default 20 x 10 MB) to N fleet hosts — sealts'
// upload (tar stream over one exec channel, sha256 verified, renamed into place) vs the practical
// limit `tar c | ssh host tar x` with OpenSSH in parallel; plus a re-push of unchanged data by a new
// process (the first push starts with an empty local hash cache, the re-push has the one it left).
// A failed run is a failed row with its error in full (the others still run; exit 1 when any failed).
// Run: npx tsx bench/push.ts [--hosts 10] [--files 20] [--mb 10] [--runs 3] [--id 62]
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { and, sh } from '../pkg/shell/quote.js';
import { CURVE25519, compiledWorker, hasFailure, machine, markdownTable, measure, opensshOptions, runPlan, toRow, withRatios, workerOpMs, type Row } from './lib/measure.js';

export interface PushOptions {
  hosts: number;
  files: number;
  mb: number;
  runs: number;
  id: number;
}

const DEST = '/var/tmp/sealts-bench-push';

async function makeData(dir: string, files: number, mb: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < files; i++) await writeFile(path.join(dir, `blob-${String(i).padStart(3, '0')}`), randomBytes(mb << 20));
}

async function clearDest(fleet: Fleet): Promise<void> {
  await Promise.all(fleet.hosts.map((h) => fleet.runOk(h, ['rm', '-rf', DEST])));
}

/** `home` is the worker's SEALTS_HOME: a fresh one means a cold local hash cache (a first push). */
async function sealtsRow(worker: string, fleet: Fleet, src: string, name: string, home: string): Promise<Row> {
  const ips = fleet.hosts.map((h) => h.ip);
  const settings = { ips, keyPath: fleet.keyPath, knownHostsPath: fleet.knownHostsPath, concurrency: ips.length, src, dest: DEST };
  const m = await measure([process.execPath, worker, 'push', JSON.stringify(settings)], { env: { ...process.env, SEALTS_HOME: home } });
  const opMs = workerOpMs(m);
  return toRow(name, m, `upload alone ${(opMs / 1000).toFixed(2)} s`);
}

async function opensshRow(fleet: Fleet, src: string, name: string, extra: string[], kex?: string): Promise<Row> {
  const opts = [...opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex), ...extra].join(' ');
  const remote = and(sh(['mkdir', '-p', DEST]), sh(['tar', '-C', DEST, '-xf', '-']));
  const script =
    'o=$1; src=$2; remote=$3; shift 3; fail=0; ' +
    'pids=; for ip; do (tar -C "$src" -cf - . | ssh $o -l root "$ip" "$remote") & pids="$pids $!"; done; ' +
    'for p in $pids; do wait "$p" || fail=1; done; exit $fail';
  const m = await measure(['sh', '-c', script, 'sh', opts, src, remote, ...fleet.hosts.map((h) => h.ip)]);
  return toRow(name, m);
}

/** The floor of any re-push: one OpenSSH connection + `true` per host, in parallel. */
async function floorRow(name: string, fleet: Fleet): Promise<Row> {
  const opts = opensshOptions(fleet.keyPath, fleet.knownHostsPath, CURVE25519).join(' ');
  const script = 'o=$1; shift; fail=0; pids=; for ip; do ssh $o -l root "$ip" true & pids="$pids $!"; done; for p in $pids; do wait "$p" || fail=1; done; exit $fail';
  return toRow(name, await measure(['sh', '-c', script, 'sh', opts, ...fleet.hosts.map((h) => h.ip)]));
}

/** Every row, each with its figures or marked failed with its error in full; `failed`: any run of any row failed. */
export async function runPush(o: PushOptions): Promise<{ rows: Row[]; table: string; failed: boolean }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-push-'));
  const src = path.join(tmp, 'data');
  await makeData(src, o.files, o.mb);
  const worker = await compiledWorker();
  const fleet = await fleetUp({ id: o.id, n: o.hosts, init: 'tini' });
  const ref = 'OpenSSH tar c + ssh tar x aes128-gcm curve25519';
  // The re-push row needs this run's push to have succeeded (its home holds the hash cache it left).
  let pushedHome: string | undefined;
  try {
    const plan: Array<readonly [string, (name: string) => Promise<Row>]> = [
      [
        'sealts upload',
        async (name) => {
          pushedHome = undefined;
          await clearDest(fleet);
          const home = await mkdtemp(path.join(tmp, 'home-'));
          const row = await sealtsRow(worker, fleet, src, name, home);
          pushedHome = home;
          return row;
        },
      ],
      [
        'sealts re-push (unchanged)',
        (name) => {
          if (pushedHome === undefined) throw new Error('not run: the sealts upload of the same run failed, so there is nothing unchanged to re-push');
          return sealtsRow(worker, fleet, src, name, pushedHome);
        },
      ],
      ['OpenSSH tar c + ssh tar x default', async (name) => (await clearDest(fleet), opensshRow(fleet, src, name, []))],
      [ref, async (name) => (await clearDest(fleet), opensshRow(fleet, src, name, ['-c', 'aes128-gcm@openssh.com'], CURVE25519))],
      ['OpenSSH ssh host true, every host in parallel (floor of a re-push)', (name) => floorRow(name, fleet)],
    ];
    const rows = withRatios(await runPlan(plan, o.runs), ref);
    return { rows, table: markdownTable(rows, ref), failed: rows.some(hasFailure) };
  } finally {
    await clearDest(fleet).catch(() => {});
    await fleet.down();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '10' },
      files: { type: 'string', default: '20' },
      mb: { type: 'string', default: '10' },
      runs: { type: 'string', default: '3' },
      id: { type: 'string', default: '62' },
    },
  });
  const o = { hosts: Number(values.hosts), files: Number(values.files), mb: Number(values.mb), runs: Number(values.runs), id: Number(values.id) };
  const { table, failed } = await runPush(o);
  process.stdout.write(
    `push: ${o.files} x ${o.mb} MB random to ${o.hosts} hosts, median of ${o.runs}\nmachine: ${machine()}\n\n${table}\n`,
  );
  // Everything printed; the exit code says whether any row failed.
  if (failed) process.exitCode = 1;
}
