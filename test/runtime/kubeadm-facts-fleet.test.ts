// The kubeadm runtime's facts on a fleet host (id 56): the kubelet's version is asked once per
// binary, and the host's facts and the membership are read in one command. A fake kubelet (it counts its runs) stands in for the binary here; this is no cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { gatherMemberFacts, MEMBER_FACTS } from '../../pkg/runtime/kubeadm/facts.js';
import { gatherFacts, gatherFactsWith, type HostFacts } from '../../pkg/host/facts.js';
import { literal, type ShellCommand } from '../../pkg/shell/quote.js';
import { VIP_TRACKED } from '../../pkg/vip/index.js';
import { KUBELET_VERSION_CACHE, LEFTOVERS } from '../../pkg/runtime/kubeadm/host-files.js';
import { fleetExec } from './fleet-exec.js';

let fleet: Fleet;
let host: FleetHost;

/** A kubelet that says `version` and counts how often it was asked. */
const fakeKubelet = (version: string) => `#!/bin/sh\necho x >> /run/kubelet-runs\necho "Kubernetes ${version}"\n`;
const runs = async () => (await fleet.run(host, ['sh', '-c', 'wc -l < /run/kubelet-runs 2>/dev/null || echo 0'])).stdout.trim();

before(async () => {
  fleet = await fleetUp({ id: 56, n: 1, init: 'tini' });
  host = fleet.hosts[0]!;
});

after(async () => {
  await fleet?.down();
});

test('kubelet --version runs once per binary: kept with its identity, asked again when the binary changes', async () => {
  const x = fleetExec(fleet, host);
  const install = (v: string) => fleet.runOk(host, ['sh', '-c', 'cat > /usr/bin/kubelet.new && chmod 755 /usr/bin/kubelet.new && mv -f /usr/bin/kubelet.new /usr/bin/kubelet'], { input: fakeKubelet(v) });
  await install('v1.36.3');
  // Before sealts' dir exists nothing is written: the version is asked every time.
  assert.equal((await gatherMemberFacts(x)).version, 'v1.36.3');
  assert.equal((await gatherMemberFacts(x)).version, 'v1.36.3');
  assert.equal(await runs(), '2');
  await fleet.runOk(host, ['mkdir', '-p', '/var/lib/sealts']);
  assert.equal((await gatherMemberFacts(x)).version, 'v1.36.3');
  assert.equal((await gatherMemberFacts(x)).version, 'v1.36.3');
  assert.equal(await runs(), '3', 'asked once more, then kept');
  // a new binary (another inode) is asked again; so is one changed in place (size, mtime)
  await install('v1.37.2');
  assert.equal((await gatherMemberFacts(x)).version, 'v1.37.2');
  assert.equal(await runs(), '4');
  await fleet.runOk(host, ['sh', '-c', 'sed -i s/v1.37.2/v1.37.3/ /usr/bin/kubelet']);
  assert.equal((await gatherMemberFacts(x)).version, 'v1.37.3');
  assert.equal((await gatherMemberFacts(x)).version, 'v1.37.3');
  assert.equal(await runs(), '5');
  // no kubelet: no version, whatever the cache says
  await fleet.runOk(host, ['rm', '-f', '/usr/bin/kubelet']);
  assert.equal((await gatherMemberFacts(x)).version, undefined);
  // reset removes the cache with kubeadm's other leftovers
  assert.ok(LEFTOVERS.includes(KUBELET_VERSION_CACHE));
  await fleet.runOk(host, ['rm', '-rf', '/var/lib/sealts', '/run/kubelet-runs']);
});

test('one command reads the host and the membership: the same facts as two, a query\'s exit stays its own', async () => {
  const x = fleetExec(fleet, host);
  const commands: string[] = [];
  const counted = { ...x, exec: (c: ShellCommand, o?: Parameters<typeof x.exec>[1]) => (commands.push(c), x.exec(c, o)) };
  const both = await gatherFactsWith(counted, VIP_TRACKED, MEMBER_FACTS);
  assert.equal(commands.length, 1);
  const [alone, member] = [await gatherFacts(x, VIP_TRACKED), await gatherMemberFacts(x)];
  const stable = (f: HostFacts) => ({ ...f, clock: 0, readAt: 0 });
  assert.deepEqual(stable(both.host), stable(alone));
  assert.deepEqual(both.query, member);
  const failing = await gatherFactsWith(x, VIP_TRACKED, { command: literal('echo half; exit 7'), parse: (_h, r) => r });
  assert.deepEqual([failing.query.code, failing.query.stdout], [7, 'half\n']);
  assert.equal(failing.host.hostname, alone.hostname, 'the host part ran after it');
});
