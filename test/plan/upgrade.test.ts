// The upgrade decided from facts (pkg/plan/upgrade.ts): one minor at a time, never down, control
// plane first, a host already on the new version left out (a re-run resumes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterfile } from '../../pkg/clusterfile/index.js';
import type { Facts } from '../../pkg/plan/index.js';
import { decideUpgrade } from '../../pkg/plan/upgrade.js';
import type { MemberFacts } from '../../pkg/runtime/index.js';
import { factsOf, NOT_A_MEMBER } from './facts-fixture.js';

const cluster = (to: string) =>
  parseClusterfile(
    `apiVersion: sealts.io/v1
kind: Cluster
metadata: { name: up }
spec:
  image: ../rootfs
  ssh: { user: root, pk: /root/.ssh/id_ed25519 }
  runtime: { version: ${to} }
  hosts:
    - ips: [198.18.51.11-198.18.51.13]
      roles: [master]
    - ips: [198.18.51.21-198.18.51.23]
      roles: [node]
`,
    'up.yaml',
  );

const cp = (v: string, kubelet = v): MemberFacts => ({ joined: true, controlPlane: true, etcdMember: true, caSha256: 'c', version: kubelet, kubeletActive: true, controlPlaneVersion: v });
const wk = (v: string): MemberFacts => ({ joined: true, controlPlane: false, etcdMember: false, caSha256: 'c', version: v, kubeletActive: true });

function facts(members: Record<string, MemberFacts>): Map<string, Facts> {
  return new Map(Object.entries(members).map(([ip, member]) => [ip, factsOf(member, { hostname: ip, machineId: ip })]));
}

const all = (m: (ip: string) => MemberFacts, n: (ip: string) => MemberFacts) => ({
  '198.18.51.11': m('198.18.51.11'), '198.18.51.12': m('198.18.51.12'), '198.18.51.13': m('198.18.51.13'),
  '198.18.51.21': n('198.18.51.21'), '198.18.51.22': n('198.18.51.22'), '198.18.51.23': n('198.18.51.23'),
});
const ips = (hs: Array<{ ip: string }>) => hs.map((h) => h.ip);

describe('decide the upgrade from the facts', () => {
  it('one minor up: the first master applies, the others follow one at a time, then masters\' and nodes\' kubelets', () => {
    const p = decideUpgrade(cluster('v1.37.2'), facts(all(() => cp('v1.36.3'), () => wk('v1.36.3'))), 'sealts upgrade -f up.yaml');
    assert.deepEqual(p.problems, []);
    assert.equal(p.from, 'v1.36.3');
    assert.deepEqual(p.controlPlanes.map((c) => `${c.host.ip}${c.first ? ' apply' : ''}`), ['198.18.51.11 apply', '198.18.51.12', '198.18.51.13']);
    assert.deepEqual(ips(p.kubelets), ['198.18.51.11', '198.18.51.12', '198.18.51.13', '198.18.51.21', '198.18.51.22', '198.18.51.23']);
  });

  it('a re-run resumes: hosts already on the new version are left out, apply is not run twice', () => {
    const m = (ip: string) => (ip === '198.18.51.11' ? cp('v1.37.2') : cp('v1.36.3'));
    const n = (ip: string) => (ip === '198.18.51.21' ? wk('v1.37.2') : wk('v1.36.3'));
    const p = decideUpgrade(cluster('v1.37.2'), facts(all(m, n)), 'u');
    assert.deepEqual(p.controlPlanes.map((c) => `${c.host.ip}${c.first ? ' apply' : ''}`), ['198.18.51.12', '198.18.51.13']);
    assert.deepEqual(ips(p.kubelets), ['198.18.51.12', '198.18.51.13', '198.18.51.22', '198.18.51.23']);
    const done = decideUpgrade(cluster('v1.37.2'), facts(all(() => cp('v1.37.2'), () => wk('v1.37.2'))), 'u');
    assert.deepEqual([done.controlPlanes.length, done.kubelets.length], [0, 0]);
  });

  it('refused: a skipped minor, a downgrade, a kubelet ahead of the control plane, a host not in the cluster', () => {
    const skip = decideUpgrade(cluster('v1.38.0'), facts(all(() => cp('v1.36.3'), () => wk('v1.36.3'))), 'sealts upgrade -f up.yaml');
    assert.match(skip.problems[0]!.problem, /v1\.36\.3 to v1\.38\.0 skips a minor version: upgrade one minor at a time \(to v1\.37\.x first/);
    const down = decideUpgrade(cluster('v1.35.9'), facts(all(() => cp('v1.36.3'), () => wk('v1.36.3'))), 'u');
    assert.match(down.problems[0]!.problem, /older than the control plane's v1\.36\.3: sealts does not downgrade/);
    const ahead = decideUpgrade(cluster('v1.37.2'), facts(all(() => cp('v1.36.3'), (ip) => (ip === '198.18.51.22' ? wk('v1.38.1') : wk('v1.36.3')))), 'u');
    assert.equal(ahead.problems.find((x) => x.host === '198.18.51.22')?.problem, 'its kubelet v1.38.1 is newer than the control plane v1.36.3');
    const fresh = facts(all(() => cp('v1.36.3'), () => wk('v1.36.3')));
    fresh.get('198.18.51.23')!.member = NOT_A_MEMBER;
    assert.match(decideUpgrade(cluster('v1.37.2'), fresh, 'u').problems.find((x) => x.host === '198.18.51.23')!.problem, /not in the cluster/);
  });
});
