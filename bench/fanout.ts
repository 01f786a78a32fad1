// Benchmark: `true` on N fleet hosts over fresh connections — sealts vs parallel-ssh (pssh) vs
// Ansible ad-hoc vs a parallel loop of OpenSSH `ssh`, each external tool with OpenSSH's default
// key exchange and with curve25519 (what ssh2, hence sealts, negotiates). Every row is one process
// tree measured by GNU time: wall, CPU seconds, peak RSS.
// A run that fails (e.g. a tool missing, a host dropping a handshake) is a failed row with its error in
// full; the other rows still run and print, and the exit code is 1 when any run failed.
// Run: npx tsx bench/fanout.ts [--hosts 50] [--runs 3] [--id 60] [--no-ansible-command]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { CURVE25519, compiledWorker, hasFailure, machine, markdownTable, measure, opensshOptions, runPlan, toRow, withRatios, workerOpMs, type Row } from './lib/measure.js';

export interface FanoutOptions {
  hosts: number;
  runs: number;
  id: number;
  /** Ansible `-m command` is slow (a Python run per host); skip it in smoke runs. */
  ansibleCommand: boolean;
}

// Each row function measures one run of the row called `name`; a failure (non-zero exit, no result)
// rejects, and runPlan turns it into a failed row carrying the error in full.
async function sealtsRow(name: string, worker: string, fleet: Fleet, ips: string[]): Promise<Row> {
  const settings = { ips, keyPath: fleet.keyPath, knownHostsPath: fleet.knownHostsPath, concurrency: ips.length };
  const m = await measure([process.execPath, worker, 'fanout', JSON.stringify(settings)]);
  const opMs = workerOpMs(m);
  return toRow(name, m, `connect+exec+close alone ${(opMs / 1000).toFixed(2)} s; rest is Node start-up`);
}

async function psshRow(name: string, fleet: Fleet, hostsFile: string, n: number, kex?: string): Promise<Row> {
  const x = opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex).flatMap((o) => ['-x', o]);
  const m = await measure(['parallel-ssh', '-h', hostsFile, '-l', 'root', '-p', String(n), '-t', '60', ...x, 'true']);
  return toRow(name, m);
}

async function sshLoopRow(name: string, fleet: Fleet, ips: string[], kex?: string): Promise<Row> {
  // One shell starting every ssh at once, waiting for all: the "parallel loop" an operator writes.
  // It waits for each pid it started: `$(jobs -p)` runs in a subshell that has no jobs (dash), so a
  // failed ssh would go unnoticed and the row would show figures for a run that did not succeed.
  const opts = opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex);
  const args = ['sh', '-c', 'o=$1; shift; fail=0; pids=; for ip; do ssh $o -l root "$ip" true & pids="$pids $!"; done; for p in $pids; do wait "$p" || fail=1; done; exit $fail', 'sh', opts.join(' '), ...ips];
  const m = await measure(args);
  return toRow(name, m);
}

async function ansibleRow(name: string, fleet: Fleet, inventory: string, tmp: string, n: number, module: 'raw' | 'command', kex?: string): Promise<Row> {
  const ssh = opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex).join(' ');
  const env = {
    ...process.env,
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_LOCAL_TEMP: path.join(tmp, 'ansible-tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(tmp, 'ansible-cp'),
    ANSIBLE_SSH_COMMON_ARGS: ssh,
    ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
  };
  const m = await measure(['ansible', 'all', '-i', inventory, '-u', 'root', '-f', String(n), '-m', module, '-a', 'true'], { env });
  return toRow(name, m);
}

/** Every row, each with its figures or marked failed with its error in full; `failed`: any run of any row failed. */
export async function runFanout(o: FanoutOptions): Promise<{ rows: Row[]; table: string; failed: boolean }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-fanout-'));
  const worker = await compiledWorker();
  const fleet = await fleetUp({ id: o.id, n: o.hosts, init: 'tini' });
  try {
    const ips = fleet.hosts.map((h) => h.ip);
    const hostsFile = path.join(tmp, 'hosts');
    await writeFile(hostsFile, ips.join('\n') + '\n');
    const inventory = path.join(tmp, 'inventory.ini');
    await writeFile(inventory, `[all]\n${ips.join('\n')}\n`);
    const n = ips.length;
    const kexName = (kex?: string) => (kex ? 'curve25519' : 'default KEX');
    const pssh = (kex?: string) => [`pssh -p${n} ${kexName(kex)}`, (name: string) => psshRow(name, fleet, hostsFile, n, kex)] as const;
    const loop = (kex?: string) => [`OpenSSH loop ${kexName(kex)}`, (name: string) => sshLoopRow(name, fleet, ips, kex)] as const;
    const ansible = (module: 'raw' | 'command', kex?: string) =>
      [`ansible -m ${module} -f${n} ${kexName(kex)}`, (name: string) => ansibleRow(name, fleet, inventory, tmp, n, module, kex)] as const;
    const plan: Array<readonly [string, (name: string) => Promise<Row>]> = [
      ['sealts (ssh2, curve25519)', (name) => sealtsRow(name, worker, fleet, ips)],
      pssh(),
      pssh(CURVE25519),
      loop(),
      loop(CURVE25519),
      ansible('raw'),
      ansible('raw', CURVE25519),
    ];
    if (o.ansibleCommand) plan.push(ansible('command'));
    // Rows interleaved run by run; a failed run is a failed row, the others still run.
    const ref = `pssh -p${n} default KEX`;
    const rows = withRatios(await runPlan(plan, o.runs), ref);
    return { rows, table: markdownTable(rows, ref), failed: rows.some(hasFailure) };
  } finally {
    await fleet.down();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { hosts: { type: 'string', default: '50' }, runs: { type: 'string', default: '3' }, id: { type: 'string', default: '60' }, 'no-ansible-command': { type: 'boolean' } },
  });
  const o = { hosts: Number(values.hosts), runs: Number(values.runs), id: Number(values.id), ansibleCommand: !values['no-ansible-command'] };
  const { table, failed } = await runFanout(o);
  process.stdout.write(`fan-out: \`true\` on ${o.hosts} hosts, fresh connections, median of ${o.runs}\nmachine: ${machine()}\n\n${table}\n`);
  // Everything printed; the exit code says whether any row failed.
  if (failed) process.exitCode = 1;
}
