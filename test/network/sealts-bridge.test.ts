// sealts-bridge: the CNI config a host gets and the one command that sets its routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflist, hostNetwork, parsePodRanges } from '../../pkg/network/sealts-bridge.js';

test('node pod ranges from kubectl custom-columns; nodes without one are left out', () => {
  const text = 'host-11   198.19.0.0/24   198.18.80.11\nhost-12   198.19.1.0/24   198.18.80.12\nhost-13   <none>   198.18.80.13\n';
  assert.deepEqual(parsePodRanges(text), [
    { node: 'host-11', podCIDR: '198.19.0.0/24', ip: '198.18.80.11' },
    { node: 'host-12', podCIDR: '198.19.1.0/24', ip: '198.18.80.12' },
  ]);
});

test('a host bridges its own range and routes every other range via its host', () => {
  const all = [
    { node: 'a', podCIDR: '198.19.0.0/24', ip: '198.18.80.11' },
    { node: 'b', podCIDR: '198.19.1.0/24', ip: '198.18.80.12' },
    { node: 'c', podCIDR: '198.19.2.0/24', ip: '198.18.80.13' },
  ];
  const { files, command } = hostNetwork(all[1]!, all, '198.19.0.0/17');
  const cni = JSON.parse(String(files[0]!.content));
  assert.equal(cni.plugins[0].type, 'bridge');
  assert.deepEqual(cni.plugins[0].ipam.ranges, [[{ subnet: '198.19.1.0/24' }]]);
  assert.equal(cni.plugins[0].ipMasq, false);
  assert.ok(String(command).endsWith("sh 198.19.1.0/24 198.19.0.0/17 198.19.0.0/24 198.18.80.11 198.19.2.0/24 198.18.80.13"), String(command));
  assert.equal(conflist('198.19.1.0/24'), String(files[0]!.content));
});

test('a host that runs no pods (a k0s controller without a worker) gets the routes alone: no CNI config, no NAT', () => {
  const all = [
    { node: 'a', podCIDR: '198.19.0.0/24', ip: '198.18.80.11' },
    { node: 'b', podCIDR: '198.19.1.0/24', ip: '198.18.80.12' },
  ];
  const { files, command } = hostNetwork({ ip: '198.18.80.10' }, all, '198.19.0.0/17');
  assert.deepEqual(files, []);
  assert.ok(String(command).endsWith("sh - 198.19.0.0/17 198.19.0.0/24 198.18.80.11 198.19.1.0/24 198.18.80.12"), String(command));
});

test('the pod network waits only for the ranges of hosts that run pods, and routes every host', async () => {
  const { syncPodNetwork } = await import('../../pkg/network/sync.js');
  const { testCluster, hostSpec } = await import('../runtime/cluster-fixture.js');
  const cluster = testCluster();
  const ran = new Map<string, string>();
  const exec = (ip: string) => ({ host: ip, upload: async () => ({ sent: [], skipped: [] }), exec: async (cmd: string) => (ran.set(ip, cmd), { code: 0, stdout: '', stderr: '' }) });
  const hosts = [
    { spec: hostSpec('198.18.80.10', ['master']), exec: exec('198.18.80.10'), nodeName: 'ctl', runsPods: false },
    { spec: hostSpec('198.18.80.11', ['node']), exec: exec('198.18.80.11'), nodeName: 'a', runsPods: true },
  ];
  // The apiserver lists only the worker: a controller without a worker is no Node.
  const kubectl = async () => 'a   198.19.0.0/24   198.18.80.11\n';
  await syncPodNetwork(cluster, kubectl, hosts as never, async (hs, fn) => Promise.all(hs.map(fn)));
  assert.match(ran.get('198.18.80.10')!, / - 100\.64\.0\.0\/10 198\.19\.0\.0\/24 198\.18\.80\.11$/);
  assert.match(ran.get('198.18.80.11')!, / 198\.19\.0\.0\/24 100\.64\.0\.0\/10$/);
});
