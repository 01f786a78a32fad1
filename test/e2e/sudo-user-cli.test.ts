// A non-root sudo user through the CLI on systemd fleet hosts (id 71) with the stand-ins: 1 master +
// 1 node applied as `ops2`, whose sudo asks for a password given only through an environment
// variable (ssh.sudoPasswdFromEnv). What sealts installs is root's; the password is nowhere: not in
// the CLI's output, SEALTS_HOME (logs, stored Clusterfile, state), anything written on the hosts
// (the journal holds sudo's own log of every command) nor any process argv seen on the hosts while
// apply ran. A wrong password is one clear line naming the host. delete --all as ops2 leaves the
// hosts as fleet-up made them; then the same with `ops` (passwordless sudo).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sealts as runCli, type CliResult } from '../cli/helpers.js';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { buildRootfs } from '../../pkg/rootfs/index.js';
import { standinBinDir } from '../standins/index.js';
import { clusterfileText, trustFleet } from './cli-cluster.js';
import { snapshotDiff, upperSnapshot } from './upper-snapshot.js';

const SUDO_ENV = 'SEALTS_E2E_SUDO_PASSWORD';
const ARGV_SAMPLES = '/tmp/sealts-e2e-argv.samples';
const SAMPLER_STOP = '/tmp/sealts-e2e-argv.stop';

let fleet: Fleet;
let work: string;
let home: string;
let password: string;
const pristine = new Map<string, Map<string, string>>();

/** `sealts ...args` from source, with this test's own SEALTS_HOME and the sudo password in the env only. */
const sealts = (args: string[], sudoPassword = password): Promise<CliResult> => runCli(args, { SEALTS_HOME: home, [SUDO_ENV]: sudoPassword });

/** A 1 master + 1 node Clusterfile logging in as `user` by key; sudo's password (if any) from SUDO_ENV. */
async function writeClusterfile(name: string, user: string, withSudoPassword: boolean): Promise<string> {
  const [m, n] = fleet.hosts;
  const ssh = `{user: ${user}, pk: ${fleet.keyPath}${withSudoPassword ? `, sudoPasswdFromEnv: ${SUDO_ENV}` : ''}}`;
  const file = path.join(work, `Clusterfile.${name}`);
  await writeFile(file, clusterfileText(fleet, { name, masters: [m!.ip], nodes: [n!.ip], version: 'v1.32.8', image: 'rootfs.tar.gz', ssh }));
  await trustFleet(fleet, home, name);
  return file;
}

async function assertPristine(h: FleetHost): Promise<void> {
  const diff = snapshotDiff(pristine.get(h.ip)!, await upperSnapshot(fleet, h));
  assert.deepEqual(diff, [], `${h.name} differs from fleet-up:\n${diff.join('\n')}`);
}

/** Every regular file under dir whose bytes contain needle (paths relative to dir). */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const abs = path.join(e.parentPath, e.name);
    const bytes = await readFile(abs).catch(() => undefined); // a file removed while we walk
    if (bytes?.includes(needle)) hits.push(path.relative(dir, abs));
  }
  return hits;
}

/**
 * Record every process's argv on a host until stopped, ~5 times a second, into a tmpfs file (/tmp is
 * not in the overlay upper dir). One `cat` per round, so it costs little CPU next to the apply.
 */
function startArgvSampler(h: FleetHost): Promise<unknown> {
  const loop = `rm -f ${SAMPLER_STOP} ${ARGV_SAMPLES}; while [ ! -e ${SAMPLER_STOP} ]; do cat /proc/[0-9]*/cmdline >> ${ARGV_SAMPLES} 2>/dev/null; sleep 0.2; done`;
  return fleet.run(h, ['sh', '-c', loop], { timeoutMs: 600_000 }); // outlives any apply; stopped by the file
}

async function stopArgvSampler(h: FleetHost, running: Promise<unknown>): Promise<string> {
  await fleet.runOk(h, ['touch', SAMPLER_STOP]);
  await running;
  const samples = await fleet.runOk(h, ['cat', ARGV_SAMPLES]);
  await fleet.runOk(h, ['rm', '-f', SAMPLER_STOP, ARGV_SAMPLES]);
  return samples;
}

/** "<ip>: <step>: sudo: wrong sudo password for ops2", one host's part of the one error line. */
function wrongPasswordOn(h: FleetHost): RegExp {
  return new RegExp(`${h.ip.replace(/\./g, '\\.')}: [^;]*sudo: wrong sudo password for ops2`);
}

async function statOf(h: FleetHost, file: string): Promise<string> {
  return (await fleet.runOk(h, ['stat', '-c', '%U:%G %a', file])).trim();
}

before(async () => {
  fleet = await fleetUp({ id: 71, n: 2, init: 'systemd' });
  assert.equal(fleet.users.ops2.sudo, 'password', 'the fleet\'s ops2 is the user whose sudo asks a password');
  assert.equal(fleet.users.ops.sudo, 'nopasswd');
  password = fleet.users.ops2.password;
  work = await mkdtemp(path.join(os.tmpdir(), 'sealts-sudo-'));
  home = path.join(work, 'home');
  await buildRootfs({ binDir: await standinBinDir('v1.32.8'), kubernetesVersion: 'v1.32.8', out: path.join(work, 'rootfs.tar.gz') });
  for (const h of fleet.hosts) pristine.set(h.ip, await upperSnapshot(fleet, h));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('apply as ops2 (sudo with a password from the environment): cluster up, files root\'s, password nowhere', async () => {
  const clusterfile = await writeClusterfile('sudo71', 'ops2', true);
  assert.ok(!(await readFile(clusterfile, 'utf8')).includes(password), 'the Clusterfile names the variable, not the password');
  const samplers = fleet.hosts.map((h) => startArgvSampler(h));
  const r = await sealts(['apply', '-f', clusterfile, '--yes']); // never rejects; fleet.down ends the samplers if it did
  const samples = await Promise.all(fleet.hosts.map((h, i) => stopArgvSampler(h, samplers[i]!)));
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const [m, n] = fleet.hosts as [FleetHost, FleetHost];
  const nodes = await fleet.runOk(m, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(nodes.trim().split('\n').sort(), ['node/host-11', 'node/host-12']);

  // installed through sudo: root's, with the modes sealts meant
  assert.equal(await statOf(m, '/etc/kubernetes/pki/ca.key'), 'root:root 600');
  assert.equal(await statOf(m, '/etc/kubernetes/admin.conf'), 'root:root 600');
  for (const h of [m, n]) {
    assert.equal(await statOf(h, '/usr/bin/kubeadm'), 'root:root 755', h.name);
    assert.equal(await statOf(h, '/usr/bin/kubelet'), 'root:root 755', h.name);
    assert.equal(await statOf(h, '/etc/kubernetes/pki/ca.crt'), 'root:root 644', h.name);
  }
  await fleet.runOk(m, ['test', '-f', '/root/.kube/config']); // root's kubeconfig on the master
  assert.notEqual((await fleet.run(n, ['test', '-e', '/etc/kubernetes/admin.conf'])).code, 0, 'no admin.conf on the node');

  // sudo really ran the steps (its journal entries are what the next check searches)
  for (const h of [m, n]) {
    const journal = await fleet.runOk(h, ['journalctl', '--no-pager', '-o', 'cat', '_COMM=sudo']);
    assert.match(journal, /ops2 : .*USER=root ; COMMAND=/, `${h.name}: sudo logged ops2's commands`);
  }
  // the password: not printed, not in SEALTS_HOME, not written on any host (journal included), not in any argv seen
  assert.ok(!(r.stdout + r.stderr).includes(password), 'password in the CLI output');
  const logs = await readdir(path.join(home, 'sudo71', 'logs'), { recursive: true });
  assert.ok(logs.some((f) => f.endsWith('.log')), 'the run wrote host logs');
  assert.deepEqual(await filesContaining(home, password), [], 'password in SEALTS_HOME');
  for (const [i, h] of fleet.hosts.entries()) {
    // sudo wraps each of the apply's steps (a stand-in's kubeadm join can end between two samples)
    assert.ok(samples[i]!.includes('sudo\0'), `${h.name}: the argv sampler saw the apply's commands`);
    assert.ok(!samples[i]!.includes(password), `${h.name}: password in a process argv`);
    assert.deepEqual(await filesContaining(path.join(fleet.paths(h).dir, 'upper'), password), [], `${h.name}: password in a file written on the host`);
    const journal = await fleet.runOk(h, ['journalctl', '--no-pager', '-o', 'cat']);
    assert.ok(!journal.includes(password), `${h.name}: password in the journal`);
  }
});

test('a wrong sudo password: apply fails with one line naming the host, password not shown', async () => {
  const wrong = `not-${password}`;
  const r = await sealts(['apply', '-f', path.join(work, 'Clusterfile.sudo71'), '--yes'], wrong);
  assert.equal(r.code, 1, r.stderr); // a host error, not a usage error
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, r.stderr);
  for (const h of fleet.hosts) assert.match(errors[0]!, wrongPasswordOn(h), errors[0]);
  for (const secret of [wrong, password]) {
    assert.ok(!(r.stdout + r.stderr).includes(secret), 'a password in the CLI output');
    assert.deepEqual(await filesContaining(home, secret), [], 'a password in SEALTS_HOME');
  }
  // nothing was redone: still the same two-node cluster
  const nodes = await fleet.runOk(fleet.hosts[0]!, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(nodes.trim().split('\n').sort(), ['node/host-11', 'node/host-12']);
});

test('sealts exec --sudo as ops2 runs as root; with a wrong password it names the host', async () => {
  const ok = await sealts(['exec', '--sudo', '--', 'id', '-un']);
  assert.equal(ok.code, 0, `${ok.stdout}\n${ok.stderr}`);
  assert.deepEqual(ok.stdout.trim().split('\n').sort(), fleet.hosts.map((h) => `${h.ip} | root`));
  const bad = await sealts(['exec', '--sudo', '--', 'id', '-un'], 'wrong-password');
  assert.notEqual(bad.code, 0);
  const errors = bad.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, bad.stderr);
  for (const h of fleet.hosts) assert.match(errors[0]!, wrongPasswordOn(h), errors[0]);
  assert.ok(!(bad.stdout + bad.stderr).includes('wrong-password'));
});

test('delete --all as ops2: both hosts as fleet-up made them, password still nowhere', async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `delete --all failed:\n${r.stdout}\n${r.stderr}`);
  for (const h of fleet.hosts) await assertPristine(h);
  assert.ok(!(r.stdout + r.stderr).includes(password));
  assert.deepEqual(await filesContaining(home, password), [], 'password in SEALTS_HOME (archive included)');
});

test('ops (passwordless sudo): apply then delete --all', async () => {
  const clusterfile = await writeClusterfile('sudo71ops', 'ops', false);
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const [m, n] = fleet.hosts as [FleetHost, FleetHost];
  const nodes = await fleet.runOk(m, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(nodes.trim().split('\n').sort(), ['node/host-11', 'node/host-12']);
  assert.equal(await statOf(m, '/etc/kubernetes/pki/ca.key'), 'root:root 600');
  assert.equal(await statOf(n, '/usr/bin/kubeadm'), 'root:root 755');
  const d = await sealts(['delete', '--all', '--yes']);
  assert.equal(d.code, 0, `delete --all failed:\n${d.stdout}\n${d.stderr}`);
  for (const h of fleet.hosts) await assertPristine(h);
});
