// 3 masters + 3 nodes in one `sealts apply` through the CLI on systemd fleet hosts (id 72) with the
// stand-ins: init on master0, then the other masters join strictly one at a time, then the three
// nodes join in parallel. Each master reaches the apiserver at itself, each node through the VIP
// spread over all three masters; workers get no admin credentials; a second apply changes nothing;
// delete --all leaves every host as fleet-up made it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { cliCluster } from './cli-cluster.js';
import { standinCalls, standinLog, testVip } from './runtime-harness.js';
import { snapshotDiff, upperSnapshot } from './upper-snapshot.js';

const NAME = 'ha3m3n';
let fleet: Fleet;
let work: string;
let clusterfile: string;
let masterHosts: FleetHost[];
let nodeHosts: FleetHost[];
const pristine = new Map<string, Map<string, string>>();

/** `sealts ...args` from source, with this test's own SEALTS_HOME. */
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

const escaped = (ip: string) => ip.replace(/\./g, '\\.');

/** When a kubeadm command ran on a host (stand-in log clock: the machine's, shared by every host). */
interface Span {
  host: string;
  start: number;
  end: number;
}

/** `kubeadm init` / `kubeadm join` themselves, not `kubeadm init phase upload-certs` and the like. */
const isWhole = (call: string, cmd: 'init' | 'join') => call.startsWith(`kubeadm ${cmd} `) && !call.startsWith(`kubeadm ${cmd} phase `);

/** The span of the one `kubeadm <cmd>` on a host: its call to the end mark that follows it. */
async function kubeadmSpan(h: FleetHost, cmd: 'init' | 'join'): Promise<Span> {
  const log = await standinLog(fleet, h.ip);
  const calls = log.map((e) => e.call).join('\n');
  const starts = log.flatMap((e, i) => (isWhole(e.call, cmd) ? [i] : []));
  assert.equal(starts.length, 1, `${h.name} ran kubeadm ${cmd} once:\n${calls}`);
  const end = log.slice(starts[0]!).find((e) => e.call === `kubeadm.done ${cmd}`);
  assert.ok(end, `${h.name}: kubeadm ${cmd} never finished:\n${calls}`);
  return { host: h.name, start: log[starts[0]!]!.t, end: end.t };
}

async function assertPristine(h: FleetHost): Promise<void> {
  const diff = snapshotDiff(pristine.get(h.ip)!, await upperSnapshot(fleet, h));
  assert.deepEqual(diff, [], `${h.name} differs from fleet-up:\n${diff.join('\n')}`);
}

before(async () => {
  fleet = await fleetUp({ id: 72, n: 6, init: 'systemd' });
  masterHosts = fleet.hosts.slice(0, 3);
  nodeHosts = fleet.hosts.slice(3, 6);
  ({ work, clusterfile } = await cliCluster(fleet, { name: NAME, masters: masterHosts.map((h) => h.ip), nodes: nodeHosts.map((h) => h.ip), version: 'v1.32.8', image: 'rootfs.tar.gz' }));
  for (const h of fleet.hosts) pristine.set(h.ip, await upperSnapshot(fleet, h));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('apply 3 masters + 3 nodes: init, masters one at a time, then nodes in parallel', async (t) => {
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const names = await fleet.runOk(masterHosts[0]!, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(names.trim().split('\n').sort(), fleet.hosts.map((h) => `node/${h.name}`));

  const init = await kubeadmSpan(masterHosts[0]!, 'init');
  const masterJoins = [await kubeadmSpan(masterHosts[1]!, 'join'), await kubeadmSpan(masterHosts[2]!, 'join')];
  // strictly sequential and after init: each join starts after the previous step ended; the
  // order between the two joining masters is sealts' choice, so sort by start first
  const chain = [init, ...masterJoins.sort((a, b) => a.start - b.start)];
  for (let i = 1; i < chain.length; i++) {
    assert.ok(chain[i]!.start >= chain[i - 1]!.end, `${chain[i]!.host} started before ${chain[i - 1]!.host} finished: ${JSON.stringify(chain)}`);
  }
  const lastMasterEnd = chain.at(-1)!.end;
  const nodeJoins = await Promise.all(nodeHosts.map((h) => kubeadmSpan(h, 'join')));
  const t0 = init.start;
  for (const s of [...chain, ...nodeJoins]) t.diagnostic(`${s.host}: ${(s.start - t0).toFixed(3)} s .. ${(s.end - t0).toFixed(3)} s`);
  for (const j of nodeJoins) assert.ok(j.start >= lastMasterEnd, `${j.host} joined before the last master: ${JSON.stringify({ chain, nodeJoins })}`);
  // in parallel: the stand-in's join takes a while (TLS, openssl, a token check), so joins run
  // together overlap; a serial run would give three disjoint spans
  const overlapping = nodeJoins.flatMap((a, i) => nodeJoins.slice(i + 1).filter((b) => a.start < b.end && b.start < a.end).map((b) => `${a.host}~${b.host}`));
  assert.ok(overlapping.length >= 1, `no two node joins overlapped (serial?): ${JSON.stringify(nodeJoins)}`);
  // nothing but the one init on master0 and one join elsewhere
  for (const h of fleet.hosts) {
    const runs = (await standinCalls(fleet, h.ip)).flatMap((c) => (isWhole(c, 'init') ? ['init'] : isWhole(c, 'join') ? ['join'] : []));
    assert.deepEqual(runs, [h === masterHosts[0] ? 'init' : 'join'], h.name);
  }
});

test('masters map the endpoint to themselves; nodes to the VIP across all three masters; no admin credentials on nodes', async () => {
  const vip = testVip(fleet);
  for (const m of masterHosts) {
    assert.equal((await fleet.runOk(m, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], m.ip, m.name);
    await fleet.runOk(m, ['test', '-f', '/etc/kubernetes/admin.conf']);
    await fleet.runOk(m, ['test', '-f', '/root/.kube/config']);
  }
  for (const n of nodeHosts) {
    assert.equal((await fleet.runOk(n, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], vip, n.name);
    const rules = await fleet.runOk(n, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']);
    for (const m of masterHosts) assert.match(rules, new RegExp(`--to-destination ${escaped(m.ip)}:6443`), `${n.name} VIP rules:\n${rules}`);
    for (const f of ['/etc/kubernetes/admin.conf', '/root/.kube/config']) {
      assert.notEqual((await fleet.run(n, ['test', '-e', f])).code, 0, `${n.name} has ${f}`);
    }
    await fleet.runOk(n, ['test', '-f', '/etc/kubernetes/kubelet.conf']); // joined as a worker
  }
});

test('a second apply changes nothing: no kubeadm init, join or reset anywhere', async () => {
  const before = await Promise.all(fleet.hosts.map((h) => standinCalls(fleet, h.ip)));
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `re-apply failed:\n${r.stdout}\n${r.stderr}`);
  const afterCalls = await Promise.all(fleet.hosts.map((h) => standinCalls(fleet, h.ip)));
  afterCalls.forEach((calls, i) => {
    assert.deepEqual(calls.slice(0, before[i]!.length), before[i], `${fleet.hosts[i]!.name}: the log was rewritten`);
    const added = calls.slice(before[i]!.length).filter((c) => /^kubeadm (init|join|reset)/.test(c));
    assert.deepEqual(added, [], `${fleet.hosts[i]!.name} ran ${added.join('; ')}`);
  });
  const names = await fleet.runOk(masterHosts[0]!, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.equal(names.trim().split('\n').length, 6);
});

test('delete --all: all six hosts as fleet-up made them', async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `delete --all failed:\n${r.stdout}\n${r.stderr}`);
  for (const h of fleet.hosts) await assertPristine(h);
});
