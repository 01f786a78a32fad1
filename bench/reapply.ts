// Benchmark (issue 15, item 5): a re-apply with nothing to do, against the floor of any tool that
// looks at the hosts at all: one OpenSSH `ssh host true` to every host, in parallel, same run.
//   - REAL Kubernetes, 1 master + 1 node (the real rootfs of test/e2e/real-kube.ts)
//   - the test stand-ins (NOT real Kubernetes: 43 real nodes do not fit this machine's memory),
//     3 masters + 40 nodes
// Each: a cold apply (not timed here: bench/apply.ts and bench/real-apply.ts time those), then two
// re-applies timed, each a new process (its hash caches are those the runs before left, as for a
// user: the first also re-hashes the files init.sh hard-linked, whose ctime that changed), then the
// floor, then `delete --all`. Goal: re-apply <= 3x the floor at both sizes.
// Run: npx tsx bench/reapply.ts [--id 53] [--masters 3 --nodes 40 (the stand-in shape)] [--skip-real] [--skip-standins]
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { buildRootfs } from '../pkg/rootfs/index.js';
import { standinBinDir } from '../test/standins/index.js';
import { benchClusterfile } from './apply.js';
import { realClusterfileText, realRootfs } from '../test/e2e/real-kube.js';
import { CURVE25519, errorText, machine, oneLine, opensshOptions } from './lib/measure.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The CLI as shipped (`npm run build`: one bundled JavaScript module), so start-up is not TypeScript transpiling. */
const SEALTS = path.join(REPO, 'dist', 'cmd', 'sealts.js');

interface ReapplyRow {
  shape: string;
  hosts: number;
  reapplyS: number;
  /** the re-apply after it: the first one also re-hashes what init.sh re-linked (its ctime changed) */
  secondS?: number;
  floorS: number;
  /** `sealts version`: the process start-up every sealts command pays, hosts aside */
  startS?: number;
  /** what the re-apply's summary says it did per phase (seconds), for reading the figure */
  phases?: string;
  error?: string;
}

async function sealts(home: string, args: string[]): Promise<{ wallS: number; stdout: string }> {
  const t0 = process.hrtime.bigint();
  const r = await run(process.execPath, [SEALTS, ...args], { env: { ...process.env, SEALTS_HOME: home }, timeout: 1_800_000, maxBuffer: 64 << 20 });
  return { wallS: Number(process.hrtime.bigint() - t0) / 1e9, stdout: r.stdout };
}

/** One `ssh host true` to every host at once (fresh connections, as the re-apply makes). */
async function floor(fleet: Fleet): Promise<number> {
  const o = opensshOptions(fleet.keyPath, fleet.knownHostsPath, CURVE25519).join(' ');
  const script = 'o=$1; shift; fail=0; pids=; for ip; do ssh $o -l root "$ip" true & pids="$pids $!"; done; for p in $pids; do wait "$p" || fail=1; done; exit $fail';
  const t0 = process.hrtime.bigint();
  await run('sh', ['-c', script, 'sh', o, ...fleet.hosts.map((h) => h.ip)]);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The phases of a run's JSON summary with their wall time, e.g. "Connect 0.4, Gather host facts 0.6". */
function phaseTimes(json: string): string {
  try {
    const doc = JSON.parse(json) as { phases?: Array<{ title?: string; name?: string; durationMs?: number; status?: string }> };
    return (doc.phases ?? []).filter((p) => p.durationMs !== undefined).map((p) => `${p.title ?? p.name} ${((p.durationMs ?? 0) / 1000).toFixed(2)}`).join(', ');
  } catch {
    return '';
  }
}

async function measureShape(shape: string, masters: number, nodes: number, id: number, clusterfile: (fleet: Fleet, work: string) => Promise<string>): Promise<ReapplyRow> {
  const fleet = await fleetUp({ id, n: masters + nodes, init: 'systemd' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-reapply-'));
  const home = path.join(work, 'home');
  let file: string | undefined;
  try {
    file = await clusterfile(fleet, work);
    await sealts(home, ['apply', '-f', file, '--yes', '--concurrency', '64']);
    const again = await sealts(home, ['apply', '-f', file, '--yes', '--concurrency', '64', '-o', 'json']);
    const second = await sealts(home, ['apply', '-f', file, '--yes', '--concurrency', '64', '-o', 'json']);
    const floorS = await floor(fleet);
    const startS = (await sealts(home, ['version'])).wallS;
    return { shape, hosts: masters + nodes, reapplyS: again.wallS, secondS: second.wallS, floorS, startS, phases: phaseTimes(second.stdout) };
  } catch (e) {
    return { shape, hosts: masters + nodes, reapplyS: NaN, floorS: NaN, error: errorText(e) };
  } finally {
    if (file) await sealts(home, ['delete', '--all', '--yes']).catch(() => undefined);
    await fleet.down();
    await rm(work, { recursive: true, force: true });
  }
}

async function standinClusterfile(fleet: Fleet, work: string, masters: number): Promise<string> {
  const image = path.join(work, 'rootfs.tar.gz');
  await buildRootfs({ binDir: await standinBinDir('v1.32.8'), kubernetesVersion: 'v1.32.8', out: image });
  const file = path.join(work, 'Clusterfile');
  await writeFile(file, benchClusterfile(fleet, image, masters));
  await trustFleet(fleet, work, 'bench');
  return file;
}

/** The fleet's host keys, as the cluster's known_hosts (the hosts are new each run). */
async function trustFleet(fleet: Fleet, work: string, name: string): Promise<void> {
  await mkdir(path.join(work, 'home', name), { recursive: true, mode: 0o700 });
  await copyFile(fleet.knownHostsPath, path.join(work, 'home', name, 'known_hosts'));
}

async function realFile(fleet: Fleet, work: string): Promise<string> {
  const [m, n] = fleet.hosts;
  const cf = realClusterfileText(fleet, { name: 'bench-real', masters: [m!.ip], nodes: [n!.ip], image: await realRootfs() });
  const file = path.join(work, 'Clusterfile');
  await writeFile(file, cf);
  await trustFleet(fleet, work, 'bench-real');
  return file;
}

export function reapplyMarkdown(rows: readonly ReapplyRow[]): string {
  const lines = ['| cluster | hosts | first re-apply (s) | next re-apply (s) | ssh host true, all hosts in parallel (s) | ratio (next) | goal | `sealts version` (s) | phases of the next re-apply (s) |', '|---|---:|---:|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    if (r.error !== undefined) lines.push(`| ${r.shape} | ${r.hosts} | **FAILED**: ${oneLine(r.error)} | | | | <= 3 | | |`);
    else lines.push(`| ${r.shape} | ${r.hosts} | ${r.reapplyS.toFixed(2)} | ${r.secondS?.toFixed(2) ?? ''} | ${r.floorS.toFixed(2)} | ${((r.secondS ?? r.reapplyS) / r.floorS).toFixed(2)} | <= 3 | ${r.startS?.toFixed(2) ?? ''} | ${r.phases ?? ''} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { id: { type: 'string', default: '53' }, masters: { type: 'string', default: '3' }, nodes: { type: 'string', default: '40' }, 'skip-real': { type: 'boolean' }, 'skip-standins': { type: 'boolean' } } });
  const [m, n] = [Number(values.masters), Number(values.nodes)];
  const id = Number(values.id);
  await run('npm', ['run', 'build'], { cwd: REPO });
  const load = os.loadavg()[0]!.toFixed(1);
  const rows: ReapplyRow[] = [];
  if (!values['skip-real']) rows.push(await measureShape('REAL Kubernetes v1.36 (1 master + 1 node)', 1, 1, id, realFile));
  if (!values['skip-standins']) rows.push(await measureShape(`stand-ins (${m} masters + ${n} nodes)`, m, n, id, (f, w) => standinClusterfile(f, w, m)));
  process.stdout.write(`re-apply with nothing to do\nmachine: ${machine()}; load ${load} before, ${os.loadavg()[0]!.toFixed(1)} after\n\n${reapplyMarkdown(rows)}\n`);
  if (rows.some((r) => r.error !== undefined)) process.exitCode = 1;
}
