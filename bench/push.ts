// Benchmark: push a directory of random data (default 20 x 10 MB) to N fleet hosts — sealts'
// upload (tar stream over one exec channel, sha256 verified, renamed into place) vs the practical
// limit `tar c | ssh host tar x` with OpenSSH in parallel; plus a re-push of unchanged data by a new
// process (the first push starts with an empty local hash cache, the re-push has the one it left).
// Run: npx tsx bench/push.ts [--hosts 10] [--files 20] [--mb 10] [--runs 3] [--id 62]
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { and, sh } from '../pkg/shell/quote.js';
import { CURVE25519, compiledWorker, machine, markdownTable, measure, medianRow, opensshOptions, toRow, withRatios, type Row } from './lib/measure.js';

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
  const opMs = (JSON.parse(m.stdout) as { opMs: number }).opMs;
  return toRow(name, m, `upload alone ${(opMs / 1000).toFixed(2)} s`);
}

async function opensshRow(fleet: Fleet, src: string, name: string, extra: string[], kex?: string): Promise<Row> {
  const opts = [...opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex), ...extra].join(' ');
  const remote = and(sh(['mkdir', '-p', DEST]), sh(['tar', '-C', DEST, '-xf', '-']));
  const script =
    'o=$1; src=$2; remote=$3; shift 3; fail=0; ' +
    'for ip; do (tar -C "$src" -cf - . | ssh $o -l root "$ip" "$remote") & done; ' +
    'for j in $(jobs -p); do wait "$j" || fail=1; done; wait; exit $fail';
  const m = await measure(['sh', '-c', script, 'sh', opts, src, remote, ...fleet.hosts.map((h) => h.ip)]);
  return toRow(name, m);
}

/** The floor of any re-push: one OpenSSH connection + `true` per host, in parallel. */
async function floorRow(fleet: Fleet, name: string): Promise<Row> {
  const opts = opensshOptions(fleet.keyPath, fleet.knownHostsPath, CURVE25519).join(' ');
  const script = 'o=$1; shift; fail=0; for ip; do ssh $o -l root "$ip" true & done; for j in $(jobs -p); do wait "$j" || fail=1; done; exit $fail';
  return toRow(name, await measure(['sh', '-c', script, 'sh', opts, ...fleet.hosts.map((h) => h.ip)]));
}

export async function runPush(o: PushOptions): Promise<{ rows: Row[]; table: string }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-push-'));
  const src = path.join(tmp, 'data');
  await makeData(src, o.files, o.mb);
  const worker = await compiledWorker();
  const fleet = await fleetUp({ id: o.id, n: o.hosts, init: 'tini' });
  const ref = 'OpenSSH tar c + ssh tar x aes128-gcm curve25519';
  let home = '';
  const freshHome = async () => {
    home = await mkdtemp(path.join(tmp, 'home-'));
    return home;
  };
  try {
    const plan: Array<[string, () => Promise<Row>]> = [
      ['sealts', async () => (await clearDest(fleet), sealtsRow(worker, fleet, src, 'sealts upload', await freshHome()))],
      ['sealts again', () => sealtsRow(worker, fleet, src, 'sealts re-push (unchanged)', home)],
      ['ssh default', async () => (await clearDest(fleet), opensshRow(fleet, src, 'OpenSSH tar c + ssh tar x default', []))],
      ['ssh aes', async () => (await clearDest(fleet), opensshRow(fleet, src, ref, ['-c', 'aes128-gcm@openssh.com'], CURVE25519))],
      ['floor', () => floorRow(fleet, 'OpenSSH ssh host true, every host in parallel (floor of a re-push)')],
    ];
    const runs = new Map<string, Row[]>();
    for (let r = 0; r < o.runs; r++) {
      for (const [key, fn] of plan) runs.set(key, [...(runs.get(key) ?? []), await fn()]);
    }
    const rows = withRatios(plan.map(([key]) => medianRow(runs.get(key)!)), ref);
    return { rows, table: markdownTable(rows, ref) };
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
  const { table } = await runPush(o);
  process.stdout.write(
    `push: ${o.files} x ${o.mb} MB random to ${o.hosts} hosts, median of ${o.runs}\nmachine: ${machine()}\n\n${table}\n`,
  );
}
