// `sealts apply` end to end through the real CLI, SSH engine, phase runner, PKI and kubeadm runtime,
// with the stand-in binaries on systemd fleet hosts (id 44): 1 master + 2 nodes; a re-apply changes
// nothing on the hosts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { cliCluster } from './cli-cluster.js';
import { standinCalls } from './runtime-harness.js';
import { snapshotDiff, upperSnapshot } from './upper-snapshot.js';

let fleet: Fleet;
let work: string;
let clusterfile: string;
const pristine = new Map<string, Map<string, string>>();

/** `sealts ...args` from source, with this test's own SEALTS_HOME. */
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

before(async () => {
  fleet = await fleetUp({ id: 44, n: 3, init: 'systemd' });
  const [m, n1, n2] = fleet.hosts;
  ({ work, clusterfile } = await cliCluster(fleet, { name: 'e2e44', masters: [m!.ip], nodes: [n1!.ip, n2!.ip], version: 'v1.32.8', image: 'rootfs.tar.gz', vipMode: 'auto' }));
  for (const h of fleet.hosts) pristine.set(h.ip, await upperSnapshot(fleet, h));
});

async function assertPristine(ip: string): Promise<void> {
  const diff = snapshotDiff(pristine.get(ip)!, await upperSnapshot(fleet, fleet.host(ip)));
  assert.deepEqual(diff, [], `${ip} differs from fleet-up:\n${diff.join('\n')}`);
}

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('sealts apply: 1 master + 2 nodes', async () => {
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const [m] = fleet.hosts;
  const got = await fleet.runOk(m!, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(got.trim().split('\n').sort(), ['node/host-11', 'node/host-12', 'node/host-13']);
  const home = path.join(work, 'home', 'e2e44');
  const st = JSON.parse(await readFile(path.join(home, 'state.json'), 'utf8'));
  assert.deepEqual(Object.keys(st.hosts).sort(), fleet.hosts.map((h) => h.ip).sort());
  assert.equal(st.hosts[m!.ip].hostname, 'host-11');
  assert.equal((await stat(path.join(home, 'admin.conf'))).mode & 0o777, 0o600);
  assert.match(r.stderr + r.stdout, /VIP mode iptables \(auto: the node lacks the ip_vs kernel module/);
});

test('re-apply: no kubeadm init or join runs again; the nodes\' VIP, in place by their facts, is left alone', async () => {
  const before = await Promise.all(fleet.hosts.map((h) => standinCalls(fleet, h.ip)));
  const r = await sealts(['-o', 'json', 'apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `re-apply failed:\n${r.stdout}\n${r.stderr}`);
  const phases = (JSON.parse(r.stdout) as { phases: Array<{ title: string; status: string }> }).phases;
  assert.equal(phases.find((p) => /VIP/.test(p.title))?.status, 'skipped', JSON.stringify(phases));
  const afterCalls = await Promise.all(fleet.hosts.map((h) => standinCalls(fleet, h.ip)));
  afterCalls.forEach((calls, i) => {
    const added = calls.slice(before[i]!.length).filter((c) => /^kubeadm (init|join|reset)/.test(c));
    assert.deepEqual(added, [], `${fleet.hosts[i]!.name} ran ${added.join('; ')}`);
  });
});

test('re-apply: a node whose VIP drifted (unit stopped, script edited) gets it back; the other node is left alone', async () => {
  const [, n1] = fleet.hosts;
  await fleet.runOk(n1!, ['systemctl', 'stop', 'sealts-vip.service']);
  await fleet.runOk(n1!, ['sh', '-c', 'echo "# edited" >> /etc/sealts/vip-iptables.sh']);
  const r = await sealts(['-o', 'json', 'apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `re-apply failed:\n${r.stdout}\n${r.stderr}`);
  const vip = (JSON.parse(r.stdout) as { phases: Array<{ title: string; status: string; hosts: Array<{ host: string }> }> }).phases.find((p) => /VIP/.test(p.title));
  assert.equal(vip?.status, 'ok', JSON.stringify(vip));
  assert.deepEqual(vip.hosts.map((h) => h.host), [n1!.ip], 'only the drifted node');
  assert.equal((await fleet.runOk(n1!, ['systemctl', 'is-active', 'sealts-vip.service'])).trim(), 'active');
  assert.doesNotMatch(await fleet.runOk(n1!, ['cat', '/etc/sealts/vip-iptables.sh']), /# edited/);
});

test('sealts status -o json: every host reachable, kubelet active, registered', async () => {
  const r = await sealts(['-o', 'json', 'status']);
  assert.equal(r.code, 0, r.stderr);
  const st = JSON.parse(r.stdout) as { hosts: Array<{ ip: string; reachable: boolean; kubelet: string; node: string }> };
  assert.equal(st.hosts.length, 3);
  for (const h of st.hosts) assert.deepEqual([h.reachable, h.kubelet, h.node], [true, 'active', 'registered'], h.ip);
});

test('sealts kubeconfig: 0600 file naming the cluster, server overridable; bad --server refused', async () => {
  const out = path.join(work, 'kc.yaml');
  const r = await sealts(['kubeconfig', '--out', out, '--server', 'https://10.0.0.1:6443']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(out)).mode & 0o777, 0o600);
  const text = await readFile(out, 'utf8');
  assert.match(text, /server: https:\/\/10.0.0.1:6443/);
  assert.match(text, /current-context: e2e44/);
  const bad = await sealts(['kubeconfig', '--server', 'http://x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--server http:\/\/x: expected https/);
});

test('sealts delete --nodes: node drained, removed, host as fleet-up made it; state and Clusterfile updated', async () => {
  const n2 = fleet.hosts[2]!;
  const r = await sealts(['delete', '--nodes', n2.ip, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const got = await fleet.runOk(fleet.hosts[0]!, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(got.trim().split('\n').sort(), ['node/host-11', 'node/host-12']);
  await assertPristine(n2.ip);
  const home = path.join(work, 'home', 'e2e44');
  const st = JSON.parse(await readFile(path.join(home, 'state.json'), 'utf8'));
  assert.equal(st.hosts[n2.ip], undefined);
  assert.doesNotMatch(await readFile(path.join(home, 'Clusterfile'), 'utf8'), new RegExp(n2.ip.replace(/\./g, '\\.')));
});

test('sealts delete --all: every host as fleet-up made it, state archived', async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  for (const h of fleet.hosts) await assertPristine(h.ip);
  const home = path.join(work, 'home');
  assert.deepEqual((await readdir(home)).filter((d) => d === 'e2e44'), []);
  assert.equal((await readdir(path.join(home, '.archive'))).filter((d) => d.startsWith('e2e44-')).length, 1);
});
