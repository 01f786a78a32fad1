import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { mergeKubeconfig } from '../../pkg/workflow/kubeconfig.js';
import { absolutizePaths, addHostsToClusterfile, removeHostsFromClusterfile } from '../../pkg/workflow/clusterfile-edit.js';
import { preflightProblems, type Facts } from '../../pkg/plan/index.js';
import { parseListeningPorts } from '../../pkg/host/ports.js';
import { requiredPorts } from '../../pkg/runtime/kubeadm/ports.js';
import { runtimeFor } from '../../pkg/runtime/index.js';
import type { Cluster } from '../../pkg/clusterfile/types.js';
import type { MemberFacts } from '../../pkg/runtime/index.js';
import { testCluster } from './cluster-fixture.js';
import { factsOf } from '../plan/facts-fixture.js';

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
  const used = parse(mergeKubeconfig(existing, ours, true));
  assert.equal(used['current-context'], 'demo', '--use switches to ours');
  assert.deepEqual(used.contexts.map((c: { name: string }) => c.name), ['other', 'demo'], 'and keeps the others');
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

type FactsOver = Partial<Omit<Facts, 'member'>> & Partial<MemberFacts>;

function facts(over: FactsOver): Facts {
  const { joined = false, controlPlane = false, etcdMember = false, caSha256, version, kubeletActive = false, ...host } = over;
  return factsOf({ joined, controlPlane, etcdMember, caSha256, version, kubeletActive }, host);
}

const amd64 = { kubernetesVersion: 'v1.36.3', arch: 'amd64', files: [] };
function preflight(c: Cluster, f: ReadonlyMap<string, Facts>) {
  return preflightProblems(c, { facts: f, rootfs: amd64, clusterfile: 'C', requiredPorts });
}

/** What `plan --offline -o yaml` renders: every host as new, master0 with the init config. */
function renderOffline(c: Cluster): Record<string, Record<string, string>> {
  const rt = runtimeFor({ cluster: c, exec: () => { throw new Error('offline'); }, nodeName: (h) => `ip-${h.ip.replaceAll('.', '-')}`, pkiDir: '', forEach: async () => {}, proxyMode: () => 'iptables' });
  return Object.fromEntries(c.hosts.map((h, i) => [h.ip, rt.renderConfig(h, i === 0).files]));
}

test('preflight names each host: arch, duplicate hostnames and machine-ids, clock skew', () => {
  const c = testCluster();
  const [a, b, n] = c.hosts.map((h) => h.ip);
  const f = new Map([
    [a!, facts({ hostname: 'x', machineId: '1' })],
    [b!, facts({ hostname: 'x', machineId: '1', arch: 'arm64' })],
    [n!, facts({ hostname: 'n', machineId: '3', clock: 1100, joined: true, caSha256: 'f'.repeat(64) })],
  ]);
  const problems = preflight(c, f).map((p) => `${p.host}: ${p.problem}`);
  assert.ok(problems.some((p) => p.startsWith(`${b}: arch arm64`)));
  assert.ok(problems.some((p) => p.startsWith(`${a}: hostname x is not unique`)));
  assert.ok(problems.some((p) => p.startsWith(`${b}: /etc/machine-id is not unique`)));
  assert.ok(problems.some((p) => p.startsWith(`${n}: clock is 100 s off`)));
  const clean = new Map([[a!, facts({ hostname: 'a', machineId: '1' })], [b!, facts({ hostname: 'b', machineId: '2' })], [n!, facts({ hostname: 'n', machineId: '3' })]]);
  assert.deepEqual(preflight(c, clean), []);
});

test('plan rendering: init config for master0, join configs with placeholders for the others', () => {
  const c = testCluster();
  const r = renderOffline(c);
  assert.match(r[c.hosts[0]!.ip]!['/etc/sealts/kubeadm-init.yaml']!, /kind: InitConfiguration[\s\S]*controlPlaneEndpoint: apiserver.cluster.local:6443/);
  const join = r[c.hosts[2]!.ip]!['/etc/sealts/kubeadm-join.yaml']!;
  assert.match(join, /kind: JoinConfiguration/);
  assert.match(join, /token: <bootstrap-token>/);
  assert.doesNotMatch(join, /controlPlane:/);
  assert.match(r[c.hosts[1]!.ip]!['/etc/sealts/kubeadm-join.yaml']!, /controlPlane:/);
});

test('ss -Htln parsing: IPv4, IPv6, wildcard and interface-scoped addresses, no duplicates', () => {
  const out = [
    'LISTEN 0      128          0.0.0.0:22         0.0.0.0:*',
    'LISTEN 0      4096   127.0.0.1%lo:53          0.0.0.0:*',
    'LISTEN 0      128             [::]:22            [::]:*',
    'LISTEN 0      5                  *:10250            *:*',
    'LISTEN 0      4096 [fe80::1]%eth0:2380          [::]:*',
    '',
  ].join('\n');
  assert.deepEqual(parseListeningPorts(out), [22, 53, 2380, 10250]);
  assert.deepEqual(parseListeningPorts(''), []);
});

test('preflight: a new host with a required port taken is refused, naming the port; joined hosts are not checked', () => {
  const c = testCluster();
  const master = c.hosts.find((h) => h.roles.includes('master'))!;
  const node = c.hosts.find((h) => !h.roles.includes('master'))!;
  const others = c.hosts.filter((h) => h !== master && h !== node);
  const base = (ip: string, i: number) => [ip, facts({ hostname: `h${i}`, machineId: `${i}` })] as const;
  const f = new Map<string, Facts>(others.map((h, i) => base(h.ip, i + 10)));
  f.set(master.ip, facts({ hostname: 'm', machineId: 'm', listeningPorts: [22, 2379, 10259] }));
  f.set(node.ip, facts({ hostname: 'n', machineId: 'n', listeningPorts: [22, 6443, 10250] }));
  const problems = preflight(c, f).map((p) => `${p.host}: ${p.problem}`);
  assert.ok(problems.some((p) => p.startsWith(`${master.ip}: ports 2379, 10259 already in use`)), problems.join('\n'));
  // 6443 is a master's port only: on a node just the kubelet's 10250 counts
  assert.ok(problems.some((p) => p.startsWith(`${node.ip}: port 10250 already in use`)), problems.join('\n'));
  assert.equal(problems.length, 2, problems.join('\n'));
  // re-apply: hosts already in this cluster listen on these ports themselves
  f.set(master.ip, facts({ hostname: 'm', machineId: 'm', joined: true, caSha256: 'x', listeningPorts: [6443, 2379, 2380, 10250, 10257, 10259] }));
  f.set(node.ip, facts({ hostname: 'n', machineId: 'n', joined: true, caSha256: 'x', listeningPorts: [10250] }));
  assert.deepEqual(preflight(c, f).filter((p) => /in use/.test(p.problem)), []);
});
