import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { mergeKubeconfig } from '../../pkg/runtime/engine/kubeconfig.js';
import { absolutizePaths, addHostsToClusterfile, removeHostsFromClusterfile } from '../../pkg/runtime/engine/clusterfile-edit.js';
import { preflightProblems } from '../../pkg/runtime/engine/preflight.js';
import { renderKubeadmPlan } from '../../pkg/runtime/engine/render-plan.js';
import type { HostFacts } from '../../pkg/runtime/engine/facts.js';
import { testCluster } from './cluster-fixture.js';

const ours = [
  'apiVersion: v1', 'kind: Config', 'clusters: [{name: demo, cluster: {server: "https://1.2.3.4:6443"}}]',
  'users: [{name: demo-admin, user: {token: x}}]', 'contexts: [{name: demo, context: {cluster: demo, user: demo-admin}}]', 'current-context: demo', '',
].join('\n');

test('kubeconfig merge: adds our context, keeps others and the current context, replaces a stale one', () => {
  const existing = [
    'apiVersion: v1', 'kind: Config', 'clusters: [{name: other, cluster: {server: "https://9.9.9.9"}}, {name: demo, cluster: {server: "https://old"}}]',
    'users: [{name: me, user: {}}]', 'contexts: [{name: other, context: {cluster: other, user: me}}]', 'current-context: other', '',
  ].join('\n');
  const m = parse(mergeKubeconfig(existing, ours));
  assert.deepEqual(m.clusters.map((c: { name: string }) => c.name), ['other', 'demo']);
  assert.equal(m.clusters[1].cluster.server, 'https://1.2.3.4:6443');
  assert.deepEqual(m.contexts.map((c: { name: string }) => c.name), ['other', 'demo']);
  assert.equal(m['current-context'], 'other');
  assert.equal(parse(mergeKubeconfig(undefined, ours))['current-context'], 'demo');
});

const cf = [
  'apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata:', '  name: demo', 'spec:', '  image: ../rootfs  # relative', '  ssh: {user: root, pk: keys/id}',
  '  hosts:', '    - ips: [10.0.0.1]', '      roles: [master]', '    - ips: [10.0.0.11-10.0.0.13]', '      roles: [node]', '',
].join('\n');

test('stored Clusterfile edits: remove from a range, drop an emptied group, add a group; comments kept', () => {
  const removed = removeHostsFromClusterfile(cf, 'C', ['10.0.0.12']);
  assert.deepEqual(parse(removed).spec.hosts[1].ips, ['10.0.0.11', '10.0.0.13']);
  assert.match(removed, /# relative/);
  const noMaster = parse(removeHostsFromClusterfile(cf, 'C', ['10.0.0.1']));
  assert.equal(noMaster.spec.hosts.length, 1);
  const added = parse(addHostsToClusterfile(cf, 'C', ['10.0.0.20'], 'node'));
  assert.deepEqual(added.spec.hosts[2], { ips: ['10.0.0.20'], roles: ['node'] });
  const abs = parse(absolutizePaths(cf, 'C', '/home/u/cl'));
  assert.equal(abs.spec.image, '/home/u/rootfs');
  assert.equal(abs.spec.ssh.pk, '/home/u/cl/keys/id');
});

function facts(over: Partial<HostFacts>): HostFacts {
  return { hostname: 'h', machineId: 'm', arch: 'amd64', ipvs: false, joined: false, controlPlane: false, swapDevices: 0, clock: 1000, readAt: 1000, ...over };
}

test('preflight names each host: arch, duplicate hostnames and machine-ids, clock skew, foreign cluster', () => {
  const c = testCluster();
  const [a, b, n] = c.hosts.map((h) => h.ip);
  const f = new Map([
    [a!, facts({ hostname: 'x', machineId: '1' })],
    [b!, facts({ hostname: 'x', machineId: '1', arch: 'arm64' })],
    [n!, facts({ hostname: 'n', machineId: '3', clock: 1100, joined: true, caSha256: 'f'.repeat(64) })],
  ]);
  const problems = preflightProblems({ cluster: c, facts: f, imageArch: 'amd64', caPem: 'our ca' }).map((p) => `${p.host}: ${p.problem}`);
  assert.ok(problems.some((p) => p.startsWith(`${b}: arch arm64`)));
  assert.ok(problems.some((p) => p.startsWith(`${a}: hostname x is not unique`)));
  assert.ok(problems.some((p) => p.startsWith(`${b}: /etc/machine-id is not unique`)));
  assert.ok(problems.some((p) => p.startsWith(`${n}: clock is 100 s off`)));
  assert.ok(problems.some((p) => p.startsWith(`${n}: already belongs to another Kubernetes cluster`)));
  const clean = new Map([[a!, facts({ hostname: 'a', machineId: '1' })], [b!, facts({ hostname: 'b', machineId: '2' })], [n!, facts({ hostname: 'n', machineId: '3' })]]);
  assert.deepEqual(preflightProblems({ cluster: c, facts: clean, imageArch: 'amd64' }), []);
});

test('plan rendering: init config for master0, join configs with placeholders for the others', () => {
  const c = testCluster();
  const r = renderKubeadmPlan(c);
  assert.match(r[c.hosts[0]!.ip]!['/etc/sealts/kubeadm-init.yaml']!, /kind: InitConfiguration[\s\S]*controlPlaneEndpoint: apiserver.cluster.local:6443/);
  const join = r[c.hosts[2]!.ip]!['/etc/sealts/kubeadm-join.yaml']!;
  assert.match(join, /kind: JoinConfiguration/);
  assert.match(join, /token: <bootstrap-token>/);
  assert.doesNotMatch(join, /controlPlane:/);
  assert.match(r[c.hosts[1]!.ip]!['/etc/sealts/kubeadm-join.yaml']!, /controlPlane:/);
});
