// 1 master + 2 nodes with the kubeadm runtime and the stand-ins on systemd fleet hosts (id 43):
// init, nodes join through the iptables VIP, deleting a node and then resetting everything leaves
// every host as fleet-up made it. (Whether init or a join runs at all is the plan's: test/plan.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { masters, nodes } from '../../pkg/clusterfile/types.js';
import { HostError, MultiHostError } from '../../pkg/errors/errors.js';
import { harness, standinCalls, testVip, type Harness } from './runtime-harness.js';
import { removeVip, setupVip } from '../../pkg/vip/index.js';
import { upperSnapshot, snapshotDiff } from './upper-snapshot.js';

let fleet: Fleet;
let hx: Harness;
let pristine: Map<string, Map<string, string>>;

before(async () => {
  fleet = await fleetUp({ id: 43, n: 3, init: 'systemd' });
  hx = await harness(fleet, ['master', 'node', 'node']);
  pristine = new Map();
  for (const h of fleet.hosts) pristine.set(h.ip, await upperSnapshot(fleet, h));
});

after(async () => {
  await fleet?.down();
  await hx?.close();
});

test('apply: init master0, join 2 nodes through the VIP', async () => {
  const [m0] = masters(hx.cluster);
  const ns = nodes(hx.cluster);
  await hx.prepare(hx.cluster.hosts);
  await hx.runtime.init(m0!);
  // The workflow's VIP, set up on each node right before it joins through it.
  const before = (n: { ip: string }) => setupVip(hx.exec(n.ip), { mode: 'iptables', vip: testVip(fleet), port: 6443, masters: [m0!.ip] });
  await hx.runtime.joinNodes(ns, m0!, { before });

  const got = await fleet.runOk(m0!.ip, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(got.trim().split('\n').sort(), ['node/host-11', 'node/host-12', 'node/host-13']);
  // master0: admin kubeconfig for root; nodes: none, and no admin.conf
  await fleet.runOk(m0!.ip, ['test', '-f', '/root/.kube/config']);
  for (const n of ns) {
    assert.notEqual((await fleet.run(n.ip, ['test', '-e', '/etc/kubernetes/admin.conf'])).code, 0, `${n.ip} has no admin.conf`);
    assert.notEqual((await fleet.run(n.ip, ['test', '-e', '/root/.kube/config'])).code, 0);
    assert.equal((await fleet.runOk(n.ip, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], testVip(fleet));
    // a worker cannot act as admin with what it has
    assert.notEqual((await fleet.run(n.ip, ['kubectl', '--kubeconfig', '/etc/kubernetes/kubelet.conf', 'get', 'nodes'])).code, 0);
    assert.equal((await fleet.runOk(n.ip, ['systemctl', 'is-active', 'kubelet'])).trim(), 'active');
  }
  assert.equal((await fleet.runOk(m0!.ip, ['getent', 'hosts', 'apiserver.cluster.local'])).split(/\s+/)[0], m0!.ip);
  // which commands ran where, in which order (the stand-ins log every call)
  const kubeadmCalls = (calls: string[]) => calls.filter((c) => c.startsWith('kubeadm ')).map((c) => c.split(' ').slice(0, 3).join(' '));
  assert.deepEqual(kubeadmCalls(await standinCalls(fleet, m0!.ip)), ['kubeadm init --config', 'kubeadm token create', 'kubeadm token delete']);
  for (const n of ns) assert.deepEqual(kubeadmCalls(await standinCalls(fleet, n.ip)), ['kubeadm join --config']);
  // the token was deleted after the joins and no secret reached the call log
  assert.equal((await fleet.runOk(m0!.ip, ['kubeadm', 'token', 'list'])).trim(), '');
  assert.doesNotMatch((await fleet.runOk(m0!.ip, ['cat', '/var/log/sealts-standins.log'])), /[a-z0-9]{6}\.[a-z0-9]{16}/);
});

test('a wrong CA pin is refused by the joining node (real hash check)', async () => {
  const n = nodes(hx.cluster)[0]!;
  const x = hx.exec(n.ip);
  const { sh } = await import('../../pkg/shell/quote.js');
  const { putFiles } = await import('../../pkg/host/put-files.js');
  await putFiles(x, 't', [{ path: '/tmp/join.yaml', mode: 0o600, content: [
    'apiVersion: kubeadm.k8s.io/v1beta4', 'kind: JoinConfiguration', 'discovery:', '  bootstrapToken:', '    apiServerEndpoint: apiserver.cluster.local:6443',
    '    token: abcdef.0123456789abcdef', `    caCertHashes: ["sha256:${'0'.repeat(64)}"]`, 'nodeRegistration:', '  name: x', '  kubeletExtraArgs: [{name: node-ip, value: 1.2.3.4}]', '',
  ].join('\n') }]);
  const r = await x.exec(sh(['kubeadm', 'join', '--config', '/tmp/join.yaml', '--ignore-preflight-errors', 'all']));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /none of the public keys "sha256:[0-9a-f]{64}" are pinned/);
  await x.exec(sh(['rm', '-f', '/tmp/join.yaml']));
});

test('delete a node: drained, reset, cleaned, Node object gone; host back to fleet-up state', async () => {
  const [, n1] = hx.cluster.hosts;
  const beforeReset = (h: { ip: string }) => removeVip(hx.exec(h.ip), { vip: testVip(fleet), port: 6443, masters: [] });
  await hx.runtime.removeNodes([n1!], hx.cluster.hosts[0]!, { force: false, reachable: () => true, beforeReset });
  const got = await fleet.runOk(hx.cluster.hosts[0]!.ip, ['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual(got.trim().split('\n').sort(), ['node/host-11', 'node/host-13']);
  const m0Calls = await standinCalls(fleet, hx.cluster.hosts[0]!.ip);
  const aboutN1 = m0Calls.filter((c) => c.includes('host-12')).map((c) => c.split(' ').slice(3, 5).join(' '));
  assert.deepEqual(aboutN1, ['get node', 'drain host-12', 'delete node']);
  const diff = snapshotDiff(pristine.get(n1!.ip)!, await upperSnapshot(fleet, fleet.host(n1!.ip)));
  assert.deepEqual(diff, [], diff.join('\n'));
});

test('reset every host: each is as fleet-up made it (overlay upper dirs compared)', async () => {
  const rest = hx.cluster.hosts.filter((h) => h.ip !== hx.cluster.hosts[1]!.ip);
  const beforeReset = (h: { ip: string }) => removeVip(hx.exec(h.ip), { vip: testVip(fleet), port: 6443, masters: [] });
  await Promise.all(rest.map((h) => hx.runtime.reset(h, { beforeReset })));
  for (const h of rest) {
    const diff = snapshotDiff(pristine.get(h.ip)!, await upperSnapshot(fleet, fleet.host(h.ip)));
    assert.deepEqual(diff, [], `${h.ip}:\n${diff.join('\n')}`);
    assert.doesNotMatch(await fleet.runOk(h.ip, ['iptables-save']), /SEALTS/);
  }
  void HostError;
  void MultiHostError;
});
