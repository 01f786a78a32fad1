// The k0s runtime through the CLI on systemd fleet hosts (id 68) with the k0s STAND-IN
// (test/standins/k0s-standin: k0s' command-line contract, checked as k0s checks it; not k0s, and
// nothing here is a cluster). The kubeadm scenarios, for k0s: apply 1 master + 2 nodes (install and
// start on master0, readiness, nodes in parallel through the VIP, no worker before a controller
// answers); apply the 3 + 3 Clusterfile (the two new masters one at a time with a controller token
// each, the new node with a worker token); `sealts join` of one more node; a re-apply that changes
// nothing; `sealts kubeconfig` answering, also after `sealts adopt` of the lost state; a rebuilt rootfs rolled host by host (and `sealts upgrade`
// refused for k0s); deleting a controller (etcd leave through a staying
// controller before its reset); `delete --all` leaving every host as fleet-up made it; then 3 + 3 in
// one apply on the clean hosts. Tokens never reach a log, an argv or a file left on a host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { cliCluster, clusterfileText } from './cli-cluster.js';
import { buildRootfs } from '../../pkg/rootfs/index.js';
import { k0sStandinBinDir } from '../standins/index.js';
import { standinLog, testVip } from './runtime-harness.js';
import { snapshotDiff, upperSnapshot } from './upper-snapshot.js';

const run = promisify(execFile);
const NAME = 'k0sfleet';
const VERSION = 'v1.36.3+k0s.0';
let fleet: Fleet;
let work: string;
let small: string;
let big: string;
let home: string;
let m: FleetHost[];
let n: FleetHost[];
const pristine = new Map<string, Map<string, string>>();
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: home });

/** The k0s calls a host's stand-in logged (not the daemons' milestones or end marks), with their times. */
async function k0sCalls(h: FleetHost): Promise<Array<{ t: number; call: string }>> {
  return (await standinLog(fleet, h.ip)).filter((e) => e.call.startsWith('k0s ') || e.call.startsWith('k0s.log '));
}

const first = (calls: Array<{ t: number; call: string }>, re: RegExp) => calls.find((c) => re.test(c.call));

before(async () => {
  fleet = await fleetUp({ id: 68, n: 6, init: 'systemd' });
  m = fleet.hosts.slice(0, 3);
  n = fleet.hosts.slice(3, 6);
  ({ work, clusterfile: small, home } = await cliCluster(fleet, { name: NAME, masters: [m[0]!.ip], nodes: [n[0]!.ip, n[1]!.ip], version: VERSION, runtime: 'k0s', image: 'rootfs.tar.gz' }));
  big = path.join(work, 'Clusterfile.3m3n');
  await writeFile(big, clusterfileText(fleet, { name: NAME, masters: m.map((h) => h.ip), nodes: [n[0]!.ip, n[1]!.ip], version: VERSION, runtime: 'k0s', image: 'rootfs.tar.gz' }));
  for (const h of fleet.hosts) pristine.set(h.ip, await upperSnapshot(fleet, h));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('plan -o yaml shows each controller its k0s.yaml: own address and etcd peer, the VIP name, every master in the SANs', async () => {
  const r = await sealts(['-o', 'yaml', 'plan', '-f', big, '--offline']);
  assert.equal(r.code, 0, r.stderr);
  for (const h of m) assert.match(r.stdout, new RegExp(`address: ${h.ip.replaceAll('.', '\\.')}`), `${h.ip} has its own address`);
  assert.match(r.stdout, /externalAddress: apiserver\.cluster\.local/);
  assert.match(r.stdout, /provider: custom/);
});

test('apply 1 master + 2 nodes: install and start the controller, then the workers in parallel through the VIP', async () => {
  const r = await sealts(['apply', '-f', small, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const ctl = await k0sCalls(m[0]!);
  const install = first(ctl, /^k0s install controller /);
  const start = first(ctl, /^k0s start$/);
  assert.ok(install && start && install.t <= start.t, `install then start on master0:\n${ctl.map((c) => c.call).join('\n')}`);
  assert.match(install.call, /-c \/etc\/k0s\/k0s\.yaml/);
  assert.doesNotMatch(install.call, /--token-file/, 'the first controller joins nothing');
  const workerStarts = await Promise.all([n[0]!, n[1]!].map(async (h) => first(await k0sCalls(h), /^k0s install worker --token-file \/etc\/k0s\/k0stoken\b/)));
  for (const w of workerStarts) assert.ok(w, 'each node installed a worker with the token file');
  // No worker started before a controller answered: the stand-in's worker logs when none does.
  for (const h of [n[0]!, n[1]!]) assert.equal((await k0sCalls(h)).filter((c) => /no controller answers/.test(c.call)).length, 0, `${h.name} started before master0 answered`);
  const ready = first(ctl, /^k0s kubectl --kubeconfig \/var\/lib\/k0s\/pki\/admin\.conf get --raw \/readyz$/);
  for (const w of workerStarts) assert.ok(ready && w && ready.t <= w.t, 'master0 was asked /readyz before any worker was installed');
  // Nodes reach the controllers through the VIP: the hosts entry of the token's server, and the DNAT.
  for (const h of [n[0]!, n[1]!]) {
    assert.equal((await fleet.runOk(h, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], testVip(fleet), h.name);
    assert.match(await fleet.runOk(h, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']), new RegExp(`--to-destination ${m[0]!.ip.replaceAll('.', '\\.')}:6443`));
    await fleet.runOk(h, ['test', '-s', '/var/lib/k0s/kubelet.conf']);
    assert.notEqual((await fleet.run(h, ['test', '-e', '/var/lib/k0s/pki/admin.conf'])).code, 0, `${h.name} has no admin credentials`);
  }
  const nodes = await fleet.runOk(m[0]!, ['k0s', 'kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(nodes.trim().split('\n').sort(), [`node/${n[0]!.name}`, `node/${n[1]!.name}`]);
});

test('apply of the 3 + 3 Clusterfile: the new masters join one at a time, each with its own controller token, invalidated after', async () => {
  const r = await sealts(['apply', '-f', big, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const spans = await Promise.all([m[1]!, m[2]!].map(async (h) => {
    const calls = await k0sCalls(h);
    const install = first(calls, /^k0s install controller .*--token-file \/etc\/k0s\/k0stoken/);
    const done = (await standinLog(fleet, h.ip)).filter((e) => e.call === 'k0s.done start');
    assert.ok(install && done.length > 0, `${h.name} installed with a token and started:\n${calls.map((c) => c.call).join('\n')}`);
    return { host: h.name, start: install.t, end: done[0]!.t };
  }));
  spans.sort((a, b) => a.start - b.start);
  assert.ok(spans[1]!.start >= spans[0]!.end, `the masters joined one at a time: ${JSON.stringify(spans)}`);
  const members = JSON.parse(await fleet.runOk(m[0]!, ['k0s', 'etcd', 'member-list'])) as { members: Record<string, string> };
  assert.deepEqual(Object.values(members.members).map((u) => new URL(u).hostname).sort(), m.map((h) => h.ip).sort());
  // Two controller tokens and one worker token made on master0 so far, every one invalidated.
  const tokens = await fleet.runOk(m[0]!, ['sh', '-c', 'k0s token list --role=worker; k0s token list --role=controller']);
  assert.doesNotMatch(tokens, /controller|worker/, `no token left valid:\n${tokens}`);
  const made = (await k0sCalls(m[0]!)).filter((c) => /^k0s token create --role=controller/.test(c.call)).length;
  const invalidated = (await k0sCalls(m[0]!)).filter((c) => /^k0s token invalidate /.test(c.call)).length;
  assert.equal(made, 2, 'one controller token per joining master');
  assert.equal(invalidated, made + 1, 'and each invalidated, the worker token too');
});

test('sealts join --nodes: one more node joins with a worker token; no token anywhere afterwards', async () => {
  const r = await sealts(['--cluster', NAME, 'join', '--nodes', n[2]!.ip, '--yes']);
  assert.equal(r.code, 0, `join failed:\n${r.stdout}\n${r.stderr}`);
  await fleet.runOk(n[2]!, ['test', '-s', '/var/lib/k0s/kubelet.conf']);
  const tokenRe = /[a-z0-9]{6}\.[a-z0-9]{16}/;
  for (const h of fleet.hosts) {
    const file = await fleet.run(h, ['cat', '/etc/k0s/k0stoken']);
    if (file.code === 0) assert.doesNotMatch(file.stdout, /^[A-Za-z0-9+/=]{40,}$/m, `${h.name}: the token file still holds a token`);
    const log = await fleet.runOk(h, ['cat', '/var/log/sealts-standins.log']);
    assert.doesNotMatch(log, tokenRe, `${h.name}: a token in the stand-in log (its argv)`);
  }
  // sealts' own logs of every run.
  const logs = path.join(home, NAME, 'logs');
  for (const f of await readdir(logs, { recursive: true })) {
    const p = path.join(logs, String(f));
    const text = await readFile(p, 'utf8').catch(() => '');
    assert.doesNotMatch(text, /H4sI[A-Za-z0-9+/=]{20,}/, `${p}: a gzipped token in the log`);
  }
});

test('a re-apply changes nothing: no install, start, reset or token', async () => {
  const before = new Map(await Promise.all(fleet.hosts.map(async (h) => [h.ip, (await k0sCalls(h)).length] as const)));
  const withNode = path.join(work, 'Clusterfile.3m3n+1');
  await writeFile(withNode, clusterfileText(fleet, { name: NAME, masters: m.map((h) => h.ip), nodes: n.map((h) => h.ip), version: VERSION, runtime: 'k0s', image: 'rootfs.tar.gz' }));
  const r = await sealts(['apply', '-f', withNode, '--yes']);
  assert.equal(r.code, 0, `re-apply failed:\n${r.stdout}\n${r.stderr}`);
  for (const h of fleet.hosts) {
    const added = (await k0sCalls(h)).slice(before.get(h.ip)).map((c) => c.call).filter((c) => /^k0s (install|start|stop|reset|token create)/.test(c));
    assert.deepEqual(added, [], `${h.name} ran ${added.join('; ')}`);
  }
});

test('sealts kubeconfig: the admin kubeconfig answers from this machine', async () => {
  const file = path.join(work, 'kubeconfig');
  const r = await sealts(['--cluster', NAME, 'kubeconfig', '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  const { stdout } = await run('kubectl', ['--kubeconfig', file, '--request-timeout=10s', 'get', '--raw', '/readyz']);
  assert.match(stdout, /ok/); // the stand-in apiserver's /readyz body
});

test('sealts adopt: with the local state lost, the CAs come back from a controller and the kubeconfig answers again', async () => {
  const state = path.join(home, NAME);
  await rename(state, `${state}.lost`);
  await mkdir(state, { recursive: true, mode: 0o700 });
  await copyFile(path.join(`${state}.lost`, 'known_hosts'), path.join(state, 'known_hosts'));
  const r = await sealts(['adopt', '-f', path.join(work, 'Clusterfile.3m3n+1'), '--yes']);
  assert.equal(r.code, 0, `adopt failed:\n${r.stdout}\n${r.stderr}`);
  assert.equal(await readFile(path.join(state, 'pki', 'ca.crt'), 'utf8'), await readFile(path.join(`${state}.lost`, 'pki', 'ca.crt'), 'utf8'), 'the same CA');
  const file = path.join(work, 'kubeconfig.adopted');
  const k = await sealts(['--cluster', NAME, 'kubeconfig', '--out', file]);
  assert.equal(k.code, 0, k.stderr);
  const { stdout } = await run('kubectl', ['--kubeconfig', file, '--request-timeout=10s', 'get', '--raw', '/readyz']);
  assert.match(stdout, /ok/);
});

test('a rebuilt rootfs (same version, a changed k0s) rolls one host at a time: k0s restarted, every host serving again; upgrade is refused', async () => {
  // The same release with one byte more: what a patched binary of the same version looks like to the plan.
  const bin = await k0sStandinBinDir(VERSION);
  await writeFile(path.join(bin, 'k0s'), `${await readFile(path.join(bin, 'k0s'), 'utf8')}\n# rebuilt\n`);
  await rm(path.join(work, 'rootfs.tar.gz'));
  await buildRootfs({ binDir: bin, kubernetesVersion: VERSION, out: path.join(work, 'rootfs.tar.gz') });
  const r = await sealts(['apply', '-f', path.join(work, 'Clusterfile.3m3n+1'), '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /Roll out the changed rootfs/);
  for (const h of fleet.hosts) {
    assert.match(await fleet.runOk(h, ['tail', '-n', '1', '/usr/bin/k0s']), /# rebuilt/, `${h.name} runs the new k0s`);
    await fleet.runOk(h, ['systemctl', 'is-active', '--quiet', m.includes(h) ? 'k0scontroller' : 'k0sworker']);
  }
  const nodes = await fleet.runOk(m[0]!, ['k0s', 'kubectl', 'get', 'nodes', '-o', 'name']);
  assert.equal(nodes.trim().split('\n').length, 3);
  const up = await sealts(['upgrade', '-f', path.join(work, 'Clusterfile.3m3n+1'), '--yes']);
  assert.equal(up.code, 2, up.stdout + up.stderr);
  assert.match(up.stderr, /sealts upgrade: not supported for k0s clusters/);
  // The other kubeadm-only day-two commands say so in one line, before anything changes.
  for (const args of [['etcd', 'backup'], ['cert', 'renew', 'all'], ['cert', 'check-expiration']]) {
    const x = await sealts(['--cluster', NAME, '--yes', ...args]);
    assert.equal(x.code, 2, `${args.join(' ')}: ${x.stdout}${x.stderr}`);
    assert.match(x.stderr.trim(), /k0s/, args.join(' '));
    assert.equal(x.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line:\n${x.stderr}`);
  }
});

test('delete a controller: it leaves etcd through a staying controller before its reset, and is as fleet-up made it', async () => {
  const r = await sealts(['--cluster', NAME, 'delete', '--masters', m[2]!.ip, '--yes']);
  assert.equal(r.code, 0, `delete failed:\n${r.stdout}\n${r.stderr}`);
  const leave = first(await k0sCalls(m[0]!), new RegExp(`^k0s etcd leave --peer-address ${m[2]!.ip.replaceAll('.', '\\.')}$`));
  assert.ok(leave, 'etcd leave ran on master0');
  const members = JSON.parse(await fleet.runOk(m[0]!, ['k0s', 'etcd', 'member-list'])) as { members: Record<string, string> };
  assert.deepEqual(Object.values(members.members).map((u) => new URL(u).hostname).sort(), [m[0]!.ip, m[1]!.ip].sort());
  const diff = snapshotDiff(pristine.get(m[2]!.ip)!, await upperSnapshot(fleet, m[2]!));
  assert.deepEqual(diff, [], `${m[2]!.name} differs from fleet-up:\n${diff.join('\n')}`);
});

test('delete --all: every host as fleet-up made it', async () => {
  const r = await sealts(['--cluster', NAME, 'delete', '--all', '--yes']);
  assert.equal(r.code, 0, `delete --all failed:\n${r.stdout}\n${r.stderr}`);
  for (const h of fleet.hosts) {
    const diff = snapshotDiff(pristine.get(h.ip)!, await upperSnapshot(fleet, h));
    assert.deepEqual(diff, [], `${h.name} differs from fleet-up:\n${diff.join('\n')}`);
  }
});

test('apply 3 + 3 in one go on the clean hosts: masters one at a time, the VIP over all three; delete --all again', async () => {
  const all = path.join(work, 'Clusterfile.fresh');
  await writeFile(all, clusterfileText(fleet, { name: NAME, masters: m.map((h) => h.ip), nodes: n.map((h) => h.ip), version: VERSION, runtime: 'k0s', image: 'rootfs.tar.gz' }));
  const marks = new Map(await Promise.all(fleet.hosts.map(async (h) => [h.ip, (await k0sCalls(h)).length] as const)));
  const r = await sealts(['apply', '-f', all, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const installs = await Promise.all(m.map(async (h) => (await k0sCalls(h)).slice(marks.get(h.ip)).filter((c) => /^k0s (install controller|start$)/.test(c.call))));
  const [, i1, i2] = installs.map((c) => ({ start: c[0]!.t, end: c.at(-1)!.t }));
  assert.ok(installs.every((c) => c.length === 2), 'each master installed and started once');
  assert.ok(i2!.start >= i1!.end || i1!.start >= i2!.end, 'the joining masters did not overlap');
  for (const h of n) {
    const rules = await fleet.runOk(h, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']);
    for (const x of m) assert.match(rules, new RegExp(`--to-destination ${x.ip.replaceAll('.', '\\.')}:6443`), `${h.name} VIP rules:\n${rules}`);
  }
  const nodes = await fleet.runOk(m[0]!, ['k0s', 'kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(nodes.trim().split('\n').sort(), n.map((h) => `node/${h.name}`).sort());
  // status: controllers without a worker are no Node (none), workers are registered; all running.
  const st = await sealts(['--cluster', NAME, '-o', 'json', 'status']);
  assert.equal(st.code, 0, st.stderr);
  const rows = (JSON.parse(st.stdout) as { hosts: Array<{ ip: string; node: string; kubelet: string; controlPlane: boolean; version: string }> }).hosts;
  for (const h of fleet.hosts) {
    const row = rows.find((x) => x.ip === h.ip)!;
    const master = m.includes(h);
    assert.deepEqual([row.node, row.kubelet, row.controlPlane, row.version], [master ? 'none' : 'registered', 'active', master, VERSION], h.name);
  }
  const d = await sealts(['--cluster', NAME, 'delete', '--all', '--yes']);
  assert.equal(d.code, 0, `delete --all failed:\n${d.stdout}\n${d.stderr}`);
  for (const h of fleet.hosts) assert.deepEqual(snapshotDiff(pristine.get(h.ip)!, await upperSnapshot(fleet, h)), [], h.name);
});
