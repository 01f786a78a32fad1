// Comparing the last applied Clusterfile with a new one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffClusters } from '../../pkg/clusterfile/index.js';
import { clusterfile, parse } from './helpers.js';

const before = parse(
  clusterfile(`  image: ../rootfs
  ssh: {passwd: first-pass}
  hosts:
    - {ips: [198.18.0.11-12], roles: [master]}
    - {ips: [198.18.0.21-22], roles: [node]}
`),
);

test('the same file: no difference', () => {
  assert.deepEqual(diffClusters(before, before), { added: [], removed: [], roleChanged: [], changed: [] });
});

test('hosts added, removed and changing role; settings that differ (secrets by value, not shown)', () => {
  const after = parse(
    clusterfile(`  image: ../rootfs
  runtime: {version: v1.33.1}
  ssh: {passwd: second-pass}
  hosts:
    - {ips: [198.18.0.11, 198.18.0.21], roles: [master]}
    - {ips: [198.18.0.22-23], roles: [node]}
  vip: {address: 10.103.97.9}
`),
  );
  const d = diffClusters(before, after);
  assert.deepEqual(d.added.map((h) => h.ip), ['198.18.0.23']);
  assert.deepEqual(d.removed.map((h) => h.ip), ['198.18.0.12']);
  assert.deepEqual(d.roleChanged, [{ ip: '198.18.0.21', from: ['node'], to: ['master'] }]);
  assert.deepEqual(d.changed, ['runtime.version', 'vip.address', 'ssh.passwd']);
  assert.ok(!JSON.stringify(d).includes('second-pass'));
});
