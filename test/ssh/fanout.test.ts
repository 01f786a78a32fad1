// forEachHost without hosts: the concurrency bound holds, failures do not stop the others unless
// failFast, and requireAllOk names every failed host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachHost, requireAllOk } from '../../pkg/ssh/index.js';

const hosts = Array.from({ length: 10 }, (_, i) => ({ name: `h${i}` }));

test('never more than `concurrency` at once; results in host order', async () => {
  let running = 0;
  let peak = 0;
  const results = await forEachHost(
    hosts,
    async (h) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(10);
      running--;
      return h.name.toUpperCase();
    },
    { concurrency: 3 },
  );
  assert.equal(peak, 3);
  assert.deepEqual(requireAllOk(results), hosts.map((h) => h.name.toUpperCase()));
});

test('failures are per host; the summary names every failed host and why', async () => {
  const results = await forEachHost(
    hosts,
    async (h) => {
      if (h.name === 'h2' || h.name === 'h7') throw new Error(`${h.name} broke`);
      return 1;
    },
    { concurrency: 4 },
  );
  assert.equal(results.filter((r) => r.ok).length, 8);
  assert.throws(() => requireAllOk(results), /^MultiHostError: 2 host\(s\) failed: h2: h2 broke; h7: h7 broke$/);
});

test('failFast: hosts not yet started are not started', async () => {
  const started: string[] = [];
  const results = await forEachHost(
    hosts,
    async (h) => {
      started.push(h.name);
      if (h.name === 'h0') throw new Error('first fails');
      await sleep(5);
    },
    { concurrency: 2, failFast: true },
  );
  assert.deepEqual(started, ['h0', 'h1']);
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.match(results[5]!.error!.message, /not started/);
});
