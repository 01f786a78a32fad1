// HA through the CLI on systemd fleet hosts (id 45) with the stand-ins: 3 masters + 1 node, masters
// join strictly one after another; `sealts join` adds a node; deleting master0 hands the cluster to
// the others and rewrites the node's VIP; delete --all leaves every host as fleet-up made it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { cliCluster } from './cli-cluster.js';
import { standinLog } from './runtime-harness.js';
import { snapshotDiff, upperSnapshot } from './upper-snapshot.js';

const NAME = 'ha45';
let fleet: Fleet;
let work: string;
let clusterfile: string;
const pristine = new Map<string, Map<string, string>>();

/** `sealts ...args` from source, with this test's own SEALTS_HOME. */
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

async function nodeNames(ip: string): Promise<string[]> {
  return (await fleet.runOk(ip, ['kubectl', 'get', 'nodes', '-o', 'name'])).trim().split('\n').sort();
}

async function assertPristine(ip: string): Promise<void> {
  const diff = snapshotDiff(pristine.get(ip)!, await upperSnapshot(fleet, fleet.host(ip)));
  assert.deepEqual(diff, [], `${ip} differs from fleet-up:\n${diff.join('\n')}`);
}

before(async () => {
  fleet = await fleetUp({ id: 45, n: 6, init: 'systemd' });
  ({ work, clusterfile } = await cliCluster(fleet, { name: NAME, masters: fleet.hosts.slice(0, 3).map((h) => h.ip), nodes: [fleet.hosts[3]!.ip], version: 'v1.31.4' }));
  for (const h of fleet.hosts) pristine.set(h.ip, await upperSnapshot(fleet, h));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('apply 3 masters + 1 node: masters join one at a time; each master maps the endpoint to itself', async () => {
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const [m1, m2, m3, n1] = fleet.hosts;
  assert.deepEqual(await nodeNames(m1!.ip), ['node/host-11', 'node/host-12', 'node/host-13', 'node/host-14']);
  // serialised: master 3's join starts after master 2's join has finished
  const joinOf = async (ip: string) => {
    const log = await standinLog(fleet, ip);
    const start = log.find((e) => e.call.startsWith('kubeadm join'));
    const end = log.find((e) => e.call === 'kubeadm.done join');
    assert.ok(start && end, `${ip} ran kubeadm join`);
    return { start: start.t, end: end.t };
  };
  const j2 = await joinOf(m2!.ip);
  const j3 = await joinOf(m3!.ip);
  assert.ok(j3.start > j2.end || j2.start > j3.end, `master joins overlapped: ${JSON.stringify({ j2, j3 })}`);
  for (const m of [m1!, m2!, m3!]) {
    assert.equal((await fleet.runOk(m, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], m.ip);
    await fleet.runOk(m, ['test', '-f', '/root/.kube/config']);
  }
  const rules = await fleet.runOk(n1!, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']);
  for (const m of [m1!, m2!, m3!]) assert.match(rules, new RegExp(`--to-destination ${m.ip.replace(/\./g, '\\.')}:6443`));
  assert.notEqual((await fleet.run(n1!, ['test', '-e', '/etc/kubernetes/admin.conf'])).code, 0);
});

test('sealts join --nodes adds a node and records it in the stored Clusterfile', async () => {
  const n2 = fleet.hosts[4]!;
  const r = await sealts(['join', '--nodes', n2.ip, '--yes']);
  assert.equal(r.code, 0, `join failed:\n${r.stdout}\n${r.stderr}`);
  assert.ok((await nodeNames(fleet.hosts[0]!.ip)).includes('node/host-15'));
  assert.match(await readFile(path.join(work, 'home', NAME, 'Clusterfile'), 'utf8'), new RegExp(n2.ip.replace(/\./g, '\\.')));
  const again = await sealts(['join', '--nodes', n2.ip, '--yes']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already a host of cluster ha45/);
});

test('sealts join --masters adds a control-plane master; every node\'s VIP now includes it', async () => {
  const m4 = fleet.hosts[5]!;
  const r = await sealts(['join', '--masters', m4.ip, '--yes']);
  assert.equal(r.code, 0, `join failed:\n${r.stdout}\n${r.stderr}`);
  assert.ok((await nodeNames(fleet.hosts[0]!.ip)).includes('node/host-16'));
  await fleet.runOk(m4, ['test', '-f', '/etc/kubernetes/manifests/kube-apiserver.yaml']); // joined as control plane
  await fleet.runOk(m4, ['test', '-f', '/root/.kube/config']);
  assert.equal((await fleet.runOk(m4, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], m4.ip);
  for (const n of [fleet.hosts[3]!, fleet.hosts[4]!]) {
    assert.match(await fleet.runOk(n, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']), new RegExp(`--to-destination ${m4.ip.replace(/\./g, '\\.')}:6443`));
  }
});

test('delete master0: the other masters carry on, nodes VIP rewritten to them, host cleaned', async () => {
  const [m1, m2, m3, n1] = fleet.hosts;
  const r = await sealts(['delete', '--masters', m1!.ip, '--yes']);
  assert.equal(r.code, 0, `delete failed:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(await nodeNames(m2!.ip), ['node/host-12', 'node/host-13', 'node/host-14', 'node/host-15', 'node/host-16']);
  const rules = await fleet.runOk(n1!, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']);
  assert.doesNotMatch(rules, new RegExp(`${m1!.ip.replace(/\./g, '\\.')}:6443`));
  assert.match(rules, new RegExp(`${m3!.ip.replace(/\./g, '\\.')}:6443`));
  await assertPristine(m1!.ip);
});

test('delete --all: every host as fleet-up made it', async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `delete --all failed:\n${r.stdout}\n${r.stderr}`);
  for (const h of fleet.hosts) await assertPristine(h.ip);
});
