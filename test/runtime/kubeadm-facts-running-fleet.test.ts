// The kubeadm runtime's facts on a systemd fleet host (id 57): the kubelet that runs is the one
// asked for its version, even after an upgrade replaced the binary on disk (a re-run between the
// install and the restart must see the old one). A copy of sleep stands in for a running kubelet
// binary and a script for the new one; this is no cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { gatherMemberFacts } from '../../pkg/runtime/kubeadm/facts.js';
import { fleetExec } from './fleet-exec.js';

let fleet: Fleet;
let host: FleetHost;

before(async () => {
  fleet = await fleetUp({ id: 57, n: 1, init: 'systemd' });
  host = fleet.hosts[0]!;
});

after(async () => {
  await fleet?.down();
});

test('the running kubelet, replaced on disk, is the one asked; the new binary once it stopped', async () => {
  const x = fleetExec(fleet, host);
  // An ELF binary (no interpreter) runs as kubelet.service: the running one is that binary.
  await fleet.runOk(host, ['sh', '-c', 'cp /usr/bin/sleep /usr/bin/kubelet && systemd-run --quiet --unit=kubelet.service /usr/bin/kubelet infinity']);
  const running = await gatherMemberFacts(x);
  assert.equal(running.kubeletActive, true);
  // the upgrade's install: a new file under the name (the old inode has no link left, it still runs)
  await fleet.runOk(host, ['sh', '-c', 'cat > /usr/bin/kubelet.new && chmod 755 /usr/bin/kubelet.new && mv -f /usr/bin/kubelet.new /usr/bin/kubelet'], {
    input: '#!/bin/sh\necho x >> /run/kubelet-runs\necho "Kubernetes v1.37.2"\n',
  });
  const replaced = await gatherMemberFacts(x);
  assert.equal(replaced.kubeletActive, true);
  assert.equal(replaced.version, undefined, 'asked the running copy of sleep, which says no Kubernetes version');
  assert.equal((await fleet.run(host, ['cat', '/run/kubelet-runs'])).code, 1, 'the new binary was not run');
  await fleet.runOk(host, ['systemctl', 'stop', 'kubelet.service']);
  const stopped = await gatherMemberFacts(x);
  assert.deepEqual([stopped.kubeletActive, stopped.version], [false, 'v1.37.2']);
  await fleet.runOk(host, ['rm', '-f', '/usr/bin/kubelet', '/run/kubelet-runs']);
});
