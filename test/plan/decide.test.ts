// The plan decided from facts (pkg/plan): who inits, who joins through whom, what is refused.
// Pure: facts are fed in, as gather-facts would have read them from the hosts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterfile } from '../../pkg/clusterfile/index.js';
import { decide, type Facts } from '../../pkg/plan/index.js';
import type { Manifest } from '../../pkg/rootfs/manifest.js';
import type { MemberFacts } from '../../pkg/runtime/index.js';
import { emptyState } from '../../pkg/state/index.js';
import { factsOf, NOT_A_MEMBER } from './facts-fixture.js';

const V = 'v1.36.3';
const cluster = (order = ['198.18.50.11', '198.18.50.12', '198.18.50.13']) =>
  parseClusterfile(
    `apiVersion: sealts.io/v1
kind: Cluster
metadata: { name: plantest }
spec:
  image: ../rootfs
  ssh: { user: root, pk: /root/.ssh/id_ed25519 }
  runtime: { version: ${V} }
  vip: { mode: iptables }
  hosts:
    - ips: [${order.join(', ')}]
      roles: [master]
    - ips: [198.18.50.21-198.18.50.22]
      roles: [node]
`,
    'plan.yaml',
  );

const CA = 'c'.repeat(64);
const master: MemberFacts = { joined: true, controlPlane: true, etcdMember: true, caSha256: CA, version: V, kubeletActive: true };
const node: MemberFacts = { joined: true, controlPlane: false, etcdMember: false, caSha256: CA, version: V, kubeletActive: true };

const manifest = (kubelet = 'a'): Manifest => ({
  kubernetesVersion: V,
  arch: 'amd64',
  files: [
    { path: 'bin/kubelet', sha256: kubelet.repeat(64), mode: '755', size: 1 },
    { path: 'scripts/init.sh', sha256: 'b'.repeat(64), mode: '755', size: 1 },
  ],
});

function facts(members: Record<string, MemberFacts>, installed?: Manifest): Map<string, Facts> {
  const c = cluster();
  return new Map(
    c.hosts.map((h, i) => {
      const member = members[h.ip] ?? NOT_A_MEMBER;
      const rootfs = member.joined || member.controlPlane ? JSON.stringify(installed ?? manifest()) : undefined;
      return [h.ip, factsOf(member, { hostname: `h${i}`, machineId: `m${i}`, rootfsManifest: rootfs })];
    }),
  );
}

const observed = (f: Map<string, Facts>, extra: { localCa?: string; rootfs?: Manifest; state?: ReturnType<typeof emptyState>; adopting?: boolean } = {}) => ({
  facts: f,
  localCaSha256: extra.localCa,
  rootfs: extra.rootfs ?? manifest(),
  state: extra.state,
  clusterfile: 'Clusterfile',
  requiredPorts: () => [6443],
  adopting: extra.adopting,
});
const ips = (hs: Array<{ ip: string }>) => hs.map((h) => h.ip);

describe('decide from the facts', () => {
  it('fresh hosts: init on the first listed master, join the rest through it', () => {
    const p = decide(cluster(), observed(facts({})));
    assert.deepEqual(p.problems, []);
    assert.equal(p.init?.ip, '198.18.50.11');
    assert.equal(p.seed?.ip, '198.18.50.11');
    assert.deepEqual(ips(p.joinMasters), ['198.18.50.12', '198.18.50.13']);
    assert.deepEqual(ips(p.joinNodes), ['198.18.50.21', '198.18.50.22']);
    assert.deepEqual(ips(p.apiServers), ['198.18.50.11', '198.18.50.12', '198.18.50.13']);
  });

  it('a running cluster is never initialised again, whichever master the Clusterfile lists first', () => {
    // The cluster was made with .11 first; the Clusterfile now lists .13 (new) first and .12.
    const c = cluster(['198.18.50.13', '198.18.50.12', '198.18.50.11']);
    const p = decide(c, observed(facts({ '198.18.50.11': master, '198.18.50.21': node }), { localCa: CA }));
    assert.deepEqual(p.problems, []);
    assert.equal(p.init, undefined);
    assert.equal(p.seed?.ip, '198.18.50.11');
    assert.deepEqual(ips(p.joinMasters), ['198.18.50.13', '198.18.50.12']);
    assert.deepEqual(ips(p.joinNodes), ['198.18.50.22']);
    assert.deepEqual(ips(p.install).sort(), ['198.18.50.12', '198.18.50.13', '198.18.50.22']);
  });

  it('a deleted first master listed again rejoins through a master that runs', () => {
    const p = decide(cluster(), observed(facts({ '198.18.50.12': master, '198.18.50.13': master, '198.18.50.21': node, '198.18.50.22': node }), { localCa: CA }));
    assert.equal(p.init, undefined);
    assert.equal(p.seed?.ip, '198.18.50.12');
    assert.deepEqual(ips(p.joinMasters), ['198.18.50.11']);
  });

  it('a host whose real role differs from the Clusterfile is refused with the commands that change it', () => {
    const p = decide(cluster(), observed(facts({ '198.18.50.11': master, '198.18.50.12': node, '198.18.50.21': master }), { localCa: CA }));
    const byHost = new Map(p.problems.map((x) => [x.host, x.problem]));
    assert.match(byHost.get('198.18.50.12')!, /says master, the host is a node.*sealts delete --nodes 198\.18\.50\.12, then sealts join --masters 198\.18\.50\.12/);
    assert.match(byHost.get('198.18.50.21')!, /says node, the host runs a control plane.*sealts delete --masters 198\.18\.50\.21, then sealts join --nodes 198\.18\.50\.21/);
    // The VIP never points at the mislabelled host.
    assert.ok(!ips(p.apiServers).includes('198.18.50.21'));
  });

  it('local state lost: the running cluster is found, and adopting it is named, never a new CA', () => {
    const f = facts({ '198.18.50.11': master, '198.18.50.12': master, '198.18.50.21': node });
    const p = decide(cluster(), observed(f));
    assert.equal(p.adoptable, true);
    assert.equal(p.init, undefined);
    assert.ok(p.problems.some((x) => !x.host && /sealts adopt -f Clusterfile/.test(x.problem)), JSON.stringify(p.problems));
    assert.deepEqual(decide(cluster(), observed(f, { adopting: true })).problems, []);
    // Another cluster's CA locally: every member is named.
    const other = decide(cluster(), observed(f, { localCa: 'd'.repeat(64) }));
    assert.equal(other.problems.filter((x) => /another Kubernetes cluster/.test(x.problem)).length, 3);
  });

  it('hosts of two clusters are refused', () => {
    const p = decide(cluster(), observed(facts({ '198.18.50.11': master, '198.18.50.21': { ...node, caSha256: 'e'.repeat(64) } }), { localCa: CA }));
    assert.ok(p.problems.some((x) => /belong to 2 different clusters/.test(x.problem)));
  });

  it('nodes joined to a control plane that is not in the Clusterfile are refused, not initialised over', () => {
    const p = decide(cluster(), observed(facts({ '198.18.50.21': node }), { localCa: CA }));
    assert.equal(p.init, undefined);
    assert.ok(p.problems.some((x) => /control plane runs on none of the Clusterfile's masters/.test(x.problem)));
  });

  it('a version bump is refused and names sealts upgrade', () => {
    const p = decide(cluster(), observed(facts({ '198.18.50.11': { ...master, version: 'v1.35.1' } }), { localCa: CA }));
    assert.match(p.problems.find((x) => x.host === '198.18.50.11')!.problem, /runs Kubernetes v1\.35\.1, the Clusterfile asks for v1\.36\.3.*sealts upgrade -f Clusterfile/);
  });

  it('a changed rootfs rolls the members one at a time, masters first, draining where binaries change', () => {
    const f = facts({ '198.18.50.11': master, '198.18.50.12': master, '198.18.50.13': master, '198.18.50.21': node, '198.18.50.22': node });
    const same = decide(cluster(), observed(f, { localCa: CA }));
    assert.deepEqual(same.roll, []);
    assert.equal(same.verify.length, 5);
    const binary = decide(cluster(), observed(f, { localCa: CA, rootfs: manifest('f') }));
    assert.deepEqual(binary.roll.map((r) => r.host.ip), ['198.18.50.11', '198.18.50.12', '198.18.50.13', '198.18.50.21', '198.18.50.22']);
    assert.ok(binary.roll.every((r) => r.drain && r.kubelet && r.changed.includes('bin/kubelet')));
    const script: Manifest = { ...manifest(), files: manifest().files.map((x) => (x.path === 'scripts/init.sh' ? { ...x, sha256: '9'.repeat(64) } : x)) };
    const scriptOnly = decide(cluster(), observed(f, { localCa: CA, rootfs: script }));
    assert.ok(scriptOnly.roll.every((r) => !r.drain && !r.kubelet));
  });

  it('hosts the state has and the Clusterfile no longer lists are removed', () => {
    const s = emptyState('plantest');
    s.hosts['198.18.50.99'] = { roles: ['node'], hostname: 'gone', joinedAt: 'x' };
    const p = decide(cluster(), observed(facts({ '198.18.50.11': master }), { localCa: CA, state: s }));
    assert.deepEqual(p.remove.map((r) => r.ip), ['198.18.50.99']);
  });
});
