// Benchmark: `sealts apply` wall time for M masters + a few nodes vs M masters + many nodes on
// systemd fleet hosts with the test stand-ins (test/standins/: NOT real Kubernetes, so this
// measures sealts' orchestration: SSH, rootfs push, PKI, join fan-out, VIP checks).
// Target (issue 6): 3 masters + 40 nodes takes at most 2x the time of 3 masters + 2 nodes.
// An apply that fails is a failed row with its error in full (the other still runs; no ratio then; exit 1).
// Run: npx tsx bench/apply.ts [--masters 3] [--small 2] [--large 40] [--id 46]
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { buildRootfs } from '../pkg/rootfs/index.js';
import { standinBinDir } from '../test/standins/index.js';
import { testVip } from '../test/e2e/runtime-harness.js';
import { errorText, failureList, oneLine } from './lib/measure.js';

const run = promisify(execFile);
const SEALTS = fileURLToPath(new URL('../cmd/sealts.ts', import.meta.url));

export interface ApplyBenchOptions {
  masters: number;
  small: number;
  large: number;
  id: number;
}

export interface ApplyBenchRow {
  masters: number;
  nodes: number;
  /** NaN when the apply failed */
  wallS: number;
  /** Set when the apply (or its fleet) failed: why, in full (the last lines of its stderr). */
  error?: string;
}

const shape = (r: { masters: number; nodes: number }) => `${r.masters} masters + ${r.nodes} nodes`;

/** One apply, its failure (fleet, Clusterfile, the apply itself) a failed row rather than an exception. */
async function applyRow(masters: number, nodes: number, id: number, image: string): Promise<ApplyBenchRow> {
  try {
    return await applyOnce(masters, nodes, id, image);
  } catch (e) {
    return { masters, nodes, wallS: NaN, error: errorText(e) };
  }
}

/** The table, the ratio line (or why it could not be computed), then every failed apply's error in full. */
export function applyMarkdown(rows: readonly ApplyBenchRow[], ratio: number | undefined): string {
  const failed = rows.filter((r) => r.error !== undefined);
  return [
    '| hosts | masters | nodes | apply wall (s) |', '|---|---|---|---|',
    ...rows.map((r) => `| ${r.masters + r.nodes} | ${r.masters} | ${r.nodes} | ${r.error === undefined ? r.wallS.toFixed(1) : `**FAILED**: ${oneLine(r.error)}`} |`),
    '', ratio === undefined
      ? `ratio large/small: could not be computed (failed: ${failed.map(shape).join(', ')}) (target <= 2.00)`
      : `ratio large/small: ${ratio.toFixed(2)} (target <= 2.00)`,
    ...(failed.length > 0 ? ['', failureList(failed.map((r) => ({ label: shape(r), error: r.error! })))] : []),
  ].join('\n');
}

/** Cluster `bench` on the fleet's hosts, the first `masters` of them masters, with the stand-ins' `image`. */
export function benchClusterfile(fleet: Fleet, image: string, masters: number): string {
  const ips = fleet.hosts.map((h) => h.ip);
  return [
    'apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata:', '  name: bench', 'spec:', `  image: ${image}`,
    '  runtime: {type: kubeadm, version: v1.32.8}', `  ssh: {user: root, pk: ${fleet.keyPath}}`, `  vip: {address: ${testVip(fleet)}, mode: iptables}`, '  network: {plugin: none}',
    '  hosts:', `    - ips: [${ips.slice(0, masters).join(', ')}]`, '      roles: [master]', `    - ips: [${ips.slice(masters).join(', ')}]`, '      roles: [node]', '',
  ].join('\n');
}

/** One fresh fleet, one cold apply; returns its wall time (fleet set-up not included). */
async function applyOnce(masters: number, nodes: number, id: number, image: string): Promise<ApplyBenchRow> {
  const fleet = await fleetUp({ id, n: masters + nodes, init: 'systemd' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-apply-'));
  try {
    const file = path.join(work, 'Clusterfile');
    await writeFile(file, benchClusterfile(fleet, image, masters));
    await mkdir(path.join(work, 'home', 'bench'), { recursive: true, mode: 0o700 });
    await copyFile(fleet.knownHostsPath, path.join(work, 'home', 'bench', 'known_hosts'));
    const t0 = process.hrtime.bigint();
    await run(process.execPath, ['--import', 'tsx', SEALTS, 'apply', '-f', file, '--yes', '--concurrency', '64'], {
      env: { ...process.env, SEALTS_HOME: path.join(work, 'home') },
      timeout: 1_800_000,
      maxBuffer: 64 << 20,
    });
    return { masters, nodes, wallS: Number(process.hrtime.bigint() - t0) / 1e9 };
  } finally {
    await fleet.down();
    await rm(work, { recursive: true, force: true });
  }
}

/** Both applies, each with its wall time or marked failed; `ratio` only when both succeeded; `failed`: any did not. */
export async function runApplyBench(o: ApplyBenchOptions): Promise<{ rows: ApplyBenchRow[]; ratio: number | undefined; markdown: string; failed: boolean }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-image-'));
  try {
    const image = path.join(work, 'rootfs.tar.gz');
    await buildRootfs({ binDir: await standinBinDir('v1.32.8'), kubernetesVersion: 'v1.32.8', out: image });
    const small = await applyRow(o.masters, o.small, o.id, image);
    const large = await applyRow(o.masters, o.large, o.id, image);
    const rows = [small, large];
    const ratio = small.error === undefined && large.error === undefined ? large.wallS / small.wallS : undefined;
    return { rows, ratio, markdown: applyMarkdown(rows, ratio), failed: rows.some((r) => r.error !== undefined) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { masters: { type: 'string', default: '3' }, small: { type: 'string', default: '2' }, large: { type: 'string', default: '40' }, id: { type: 'string', default: '46' } } });
  const r = await runApplyBench({ masters: Number(values.masters), small: Number(values.small), large: Number(values.large), id: Number(values.id) });
  process.stdout.write(`${r.markdown}\n`);
  if (r.failed) process.exitCode = 1;
}
