// Benchmark: `true` on N fleet hosts over fresh connections — sealts vs parallel-ssh (pssh) vs
// Ansible ad-hoc vs a parallel loop of OpenSSH `ssh`, each external tool with OpenSSH's default
// key exchange and with curve25519 (what ssh2, hence sealts, negotiates). Every row is one process
// tree measured by GNU time: wall, CPU seconds, peak RSS.
// Run: npx tsx bench/fanout.ts [--hosts 50] [--runs 3] [--id 60] [--no-ansible-command]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { CURVE25519, compiledWorker, machine, markdownTable, measure, medianRow, opensshOptions, toRow, withRatios, type Row } from './lib/measure.js';

export interface FanoutOptions {
  hosts: number;
  runs: number;
  id: number;
  /** Ansible `-m command` is slow (a Python run per host); skip it in smoke runs. */
  ansibleCommand: boolean;
}

async function sealtsRow(worker: string, fleet: Fleet, ips: string[]): Promise<Row> {
  const settings = { ips, keyPath: fleet.keyPath, knownHostsPath: fleet.knownHostsPath, concurrency: ips.length };
  const m = await measure([process.execPath, worker, 'fanout', JSON.stringify(settings)]);
  const opMs = (JSON.parse(m.stdout) as { opMs: number }).opMs;
  return toRow('sealts (ssh2, curve25519)', m, `connect+exec+close alone ${(opMs / 1000).toFixed(2)} s; rest is Node start-up`);
}

async function psshRow(fleet: Fleet, hostsFile: string, n: number, kex?: string): Promise<Row> {
  const x = opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex).flatMap((o) => ['-x', o]);
  const m = await measure(['parallel-ssh', '-h', hostsFile, '-l', 'root', '-p', String(n), '-t', '60', ...x, 'true']);
  return toRow(`pssh -p${n}${kex ? ' curve25519' : ' default KEX'}`, m);
}

async function sshLoopRow(fleet: Fleet, ips: string[], kex?: string): Promise<Row> {
  // One shell starting every ssh at once, waiting for all: the "parallel loop" an operator writes.
  const opts = opensshOptions(fleet.keyPath, fleet.knownHostsPath, kex);
  const args = ['sh', '-c', 'o=$1; shift; fail=0; for ip; do ssh $o -l root "$ip" true & done; for j in $(jobs -p); do wait "$j" || fail=1; done; wait; exit $fail', 'sh', opts.join(' '), ...ips];
  const m = await measure(args);
  return toRow(`OpenSSH loop${kex ? ' curve25519' : ' default KEX'}`, m);
}

async function ansibleRow(fleet: Fleet, inventory: string, tmp: string, n: number, module: 'raw' | 'command', kex?: string): Promise<Row> {
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
  return toRow(`ansible -m ${module} -f${n}${kex ? ' curve25519' : ' default KEX'}`, m);
}

export async function runFanout(o: FanoutOptions): Promise<{ rows: Row[]; table: string }> {
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
    const plan: Array<[string, () => Promise<Row>]> = [
      ['sealts', () => sealtsRow(worker, fleet, ips)],
      ['pssh default', () => psshRow(fleet, hostsFile, n)],
      ['pssh curve25519', () => psshRow(fleet, hostsFile, n, CURVE25519)],
      ['ssh loop default', () => sshLoopRow(fleet, ips)],
      ['ssh loop curve25519', () => sshLoopRow(fleet, ips, CURVE25519)],
      ['ansible raw default', () => ansibleRow(fleet, inventory, tmp, n, 'raw')],
      ['ansible raw curve25519', () => ansibleRow(fleet, inventory, tmp, n, 'raw', CURVE25519)],
    ];
    if (o.ansibleCommand) plan.push(['ansible command', () => ansibleRow(fleet, inventory, tmp, n, 'command')]);
    const runs = new Map<string, Row[]>();
    // Interleave the rows run by run, so a slow moment of the shared machine hits every row.
    for (let r = 0; r < o.runs; r++) {
      for (const [key, fn] of plan) runs.set(key, [...(runs.get(key) ?? []), await fn()]);
    }
    const ref = `pssh -p${n} default KEX`;
    const rows = withRatios(plan.map(([key]) => medianRow(runs.get(key)!)), ref);
    return { rows, table: markdownTable(rows, ref) };
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
  const { table } = await runFanout(o);
  process.stdout.write(`fan-out: \`true\` on ${o.hosts} hosts, fresh connections, median of ${o.runs}\nmachine: ${machine()}\n\n${table}\n`);
}
