// Benchmark: `sealts apply` of REAL Kubernetes (the real rootfs of test/e2e/real-kube.ts) on systemd
// fleet hosts, 1 master + 2 nodes and 3 masters + 2 nodes, each on a fresh fleet. sealts' overhead is
// a ratio taken from the same run: apply wall time / the host commands on the critical path (kubeadm
// init, each control-plane join in turn, then the slowest node join), each command's own time read
// from the run's per-host logs (their `exit ... after N ms` lines). Goal (issue 10): <= 1.15.
// Also: the peak memory of each host (its memory cgroup, tmpfs pages included) and of the machine.
// A shape whose apply fails is a failed row with its error in full (the other shapes still run; exit 1).
// Run: npx tsx bench/real-apply.ts [--id 82]
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { fleetCgroupDirs } from '../test/fleet/cgroups.js';
import { trustFleet } from '../test/e2e/cli-cluster.js';
import { realClusterfileText, realRootfs } from '../test/e2e/real-kube.js';
import { errorText, failureList, oneLine } from './lib/measure.js';

const run = promisify(execFile);
const SEALTS = fileURLToPath(new URL('../cmd/sealts.ts', import.meta.url));

export interface HostCommand {
  host: string;
  kind: 'init' | 'join';
  ms: number;
}

/** kubeadm init/join commands and their durations, from one run's per-host log files. */
export function kubeadmCommands(host: string, log: string): HostCommand[] {
  const out: HostCommand[] = [];
  // A command's text may span lines (scripts): every line up to the next log entry belongs to it.
  let command: string | undefined;
  for (const line of log.split('\n')) {
    const m = /^\d{4}-\d\d-\d\dT\S+ (\w+)\s+(.*)$/.exec(line);
    if (!m) {
      if (command !== undefined) command += `\n${line}`;
      continue;
    }
    if (m[1] === 'cmd') {
      command = m[2]!;
      continue;
    }
    if (m[1] !== 'exit') continue; // the command's output lines
    const text = command ?? '';
    const kind = /kubeadm init --config/.test(text) ? 'init' : /kubeadm join --config/.test(text) ? 'join' : undefined;
    const ms = /after (\d+) ms/.exec(m[2]!);
    if (kind && ms) out.push({ host, kind, ms: Number(ms[1]) });
    command = undefined;
  }
  return out;
}

/** init, then the masters' joins one after another, then the slowest node join (they overlap). */
export function criticalPathMs(cmds: readonly HostCommand[], masters: ReadonlySet<string>): number {
  const init = cmds.filter((c) => c.kind === 'init').reduce((a, c) => a + c.ms, 0);
  const masterJoins = cmds.filter((c) => c.kind === 'join' && masters.has(c.host)).reduce((a, c) => a + c.ms, 0);
  const nodeJoin = Math.max(0, ...cmds.filter((c) => c.kind === 'join' && !masters.has(c.host)).map((c) => c.ms));
  return init + masterJoins + nodeJoin;
}

export interface RealApplyRow {
  masters: number;
  nodes: number;
  wallS: number;
  criticalS: number;
  ratio: number;
  peakHostMiB: Record<string, number>;
  peakMachineMiB: number;
  /** Each phase's wall time (s), from the apply's own JSON summary. */
  phasesS: Record<string, number>;
  /** Set when this shape's apply (or its fleet) failed: why, in full; the figures are NaN / empty then. */
  error?: string;
}

/** Samples each host's memory cgroup and the machine's used memory every second; returns the peaks. */
function memorySampler(fleet: Fleet, groupDirs: string[]): { stop(): Promise<{ hosts: Record<string, number>; machine: number }> } {
  const memDir = groupDirs.find((d) => /\/memory\//.test(d) || d.includes('/memory'));
  const hosts: Record<string, number> = {};
  let machine = 0;
  let done = false;
  const loop = (async () => {
    while (!done) {
      const info = await readFile('/proc/meminfo', 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
      machine = Math.max(machine, (kb('MemTotal') - kb('MemAvailable')) / 1024);
      for (const h of fleet.hosts) {
        const usage = memDir ? await readFile(path.join(memDir, h.name, 'memory.usage_in_bytes'), 'utf8').catch(() => '0') : '0';
        hosts[h.name] = Math.max(hosts[h.name] ?? 0, Number(usage) / 2 ** 20);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    async stop() {
      done = true;
      await loop;
      return { hosts, machine };
    },
  };
}

async function applyOnce(masters: number, nodes: number, id: number, image: string): Promise<RealApplyRow> {
  const fleet = await fleetUp({ id, n: masters + nodes, init: 'systemd' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-real-'));
  const name = `bench${id}`;
  const home = path.join(work, 'home');
  let sampler: ReturnType<typeof memorySampler> | undefined;
  try {
    const ips = fleet.hosts.map((h) => h.ip);
    const file = path.join(work, 'Clusterfile');
    await writeFile(file, realClusterfileText(fleet, { name, masters: ips.slice(0, masters), nodes: ips.slice(masters), image }));
    await trustFleet(fleet, home, name);
    sampler = memorySampler(fleet, await fleetCgroupDirs(`sealts-fleet-${id}`));
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', SEALTS, 'apply', '-f', file, '--yes', '-o', 'json'], { env: { ...process.env, SEALTS_HOME: home }, maxBuffer: 64 << 20 });
    const wallS = (performance.now() - t0) / 1000;
    const summary = JSON.parse(stdout) as { phases: Array<{ title: string; durationMs: number }> };
    const phasesS = Object.fromEntries(summary.phases.map((p) => [p.title, p.durationMs / 1000]));
    const mem = await sampler.stop();
    sampler = undefined;
    const logs = path.join(home, name, 'logs');
    const runDir = path.join(logs, (await readdir(logs)).sort().pop()!);
    const cmds: HostCommand[] = [];
    for (const f of await readdir(runDir)) cmds.push(...kubeadmCommands(f.replace(/\.log$/, ''), await readFile(path.join(runDir, f), 'utf8')));
    const criticalS = criticalPathMs(cmds, new Set(ips.slice(0, masters))) / 1000;
    await run(process.execPath, ['--import', 'tsx', SEALTS, 'delete', '--all', '--yes'], { env: { ...process.env, SEALTS_HOME: home }, maxBuffer: 64 << 20 });
    return { masters, nodes, wallS, criticalS, ratio: wallS / criticalS, peakHostMiB: mem.hosts, peakMachineMiB: mem.machine, phasesS };
  } finally {
    // A failed apply must not leave the sampler polling (it would keep the benchmark from ending).
    await sampler?.stop().catch(() => {});
    await fleet.down();
    await rm(work, { recursive: true, force: true });
  }
}

/** A shape's row marked failed: no figures, the error in full. */
export function failedRealApplyRow(masters: number, nodes: number, e: unknown): RealApplyRow {
  return { masters, nodes, wallS: NaN, criticalS: NaN, ratio: NaN, peakHostMiB: {}, peakMachineMiB: NaN, phasesS: {}, error: errorText(e) };
}

/** One row per shape, each on a fresh fleet; a shape that fails is a failed row and the next still runs. */
export async function realApplyBench(id: number, shapes: Array<[number, number]> = [[1, 2], [3, 2]]): Promise<RealApplyRow[]> {
  const image = await realRootfs();
  const rows: RealApplyRow[] = [];
  for (const [m, n] of shapes) rows.push(await applyOnce(m, n, id, image).catch((e: unknown) => failedRealApplyRow(m, n, e)));
  return rows;
}

/** The table (a failed shape: "FAILED" and its error on one line), phases, then every failed shape's error in full. */
export function realApplyMarkdown(rows: readonly RealApplyRow[]): string {
  const lines = [
    '| shape | apply wall | critical path (init + joins) | overhead ratio | peak per host (MiB) | machine peak (MiB) |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.error !== undefined) {
      lines.push(`| ${r.masters} + ${r.nodes} | **FAILED**: ${oneLine(r.error)} | — | — | — | — |`);
      continue;
    }
    const hosts = Object.entries(r.peakHostMiB).map(([h, v]) => `${h} ${Math.round(v)}`).join(', ');
    lines.push(`| ${r.masters} + ${r.nodes} | ${r.wallS.toFixed(1)} s | ${r.criticalS.toFixed(1)} s | ${r.ratio.toFixed(2)} | ${hosts} | ${Math.round(r.peakMachineMiB)} |`);
  }
  for (const r of rows) {
    if (r.error === undefined) lines.push(`${r.masters} + ${r.nodes} phases: ${Object.entries(r.phasesS).map(([t, v]) => `${t} ${v.toFixed(1)} s`).join(', ')}`);
  }
  const list = failureList(rows.filter((r) => r.error !== undefined).map((r) => ({ label: `${r.masters} + ${r.nodes}`, error: r.error! })));
  if (list) lines.push('', list);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { id: { type: 'string', default: '82' } } });
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const rows = await realApplyBench(Number(values.id));
  console.log(`load before: ${load}; after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(realApplyMarkdown(rows));
  // Everything printed; the exit code says whether any shape failed.
  if (rows.some((r) => r.error !== undefined)) process.exitCode = 1;
}
