// The relay's choices without hosts: which hosts seed, and a relay with no seed serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickSeeds, Relay, RELAY_SEEDS } from '../../pkg/rootfs/index.js';

test('seeds: hosts that can serve (python3), masters first, at most RELAY_SEEDS', () => {
  const h = (ip: string, master: boolean, python3 = true) => ({ ip, master, python3 });
  const hosts = [h('n1', false), h('m1', true, false), h('n2', false), h('m2', true), h('n3', false), h('m3', true)];
  assert.equal(RELAY_SEEDS, 3);
  assert.deepEqual(pickSeeds(hosts).map((x) => x.ip), ['m2', 'm3', 'n1'], 'm1 has no python3');
  assert.deepEqual(pickSeeds(hosts.filter((x) => !x.master)).map((x) => x.ip), ['n1', 'n2', 'n3']);
  assert.deepEqual(pickSeeds([h('a', true, false)]), []);
});

test('a relay whose seeds all failed their push gives no source, and runs no command anywhere', async () => {
  const ran: string[] = [];
  const exec = { host: 's', exec: async (cmd: unknown) => (ran.push(String(cmd)), { code: 0, stdout: '', stderr: '' }), upload: async () => ({ sent: [], skipped: [] }) };
  const failed = Promise.reject(new Error('push failed'));
  failed.catch(() => {});
  const relay = new Relay([{ ip: 's', exec, files: ['bin/kubelet'], ready: failed }], ['a'], new Map());
  assert.equal(await relay.sourceFor(), undefined);
  await relay.close();
  assert.deepEqual(ran, []);
});
