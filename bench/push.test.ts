// Smoke runs of bench/push.ts and bench/push-memory.ts at tiny size (fleet 64): every row produces real numbers, and the
// re-push of unchanged data is cheaper than the push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPush } from './push.js';
import { runPushMemory } from './push-memory.js';

test('push benchmark runs at tiny size and measures every row', { timeout: 300_000 }, async () => {
  const { rows, failed } = await runPush({ hosts: 2, files: 3, mb: 1, runs: 1, id: 64 });
  // A failed row no longer throws: show its error in full before anything else.
  assert.deepEqual(rows.filter((r) => r.error !== undefined || r.failures?.length).map((r) => `${r.name}: ${r.error ?? r.failures![0]!.error}`), []);
  assert.equal(failed, false);
  assert.deepEqual(
    rows.map((r) => r.name),
    [
      'sealts upload',
      'sealts re-push (unchanged)',
      'OpenSSH tar c + ssh tar x default',
      'OpenSSH tar c + ssh tar x aes128-gcm curve25519',
      'OpenSSH ssh host true, every host in parallel (floor of a re-push)',
    ],
  );
  for (const r of rows) {
    assert.ok(r.wallS > 0 && Number.isFinite(r.wallS), `${r.name} wall`);
    // GNU time reports CPU to 10 ms: the floor row (ssh true on 2 hosts) can read 0.00.
    assert.ok(r.cpuS >= 0 && Number.isFinite(r.cpuS), `${r.name} cpu`);
    assert.ok(r.peakRssMb > 1 && Number.isFinite(r.peakRssMb), `${r.name} rss`);
  }
  assert.match(rows[0]!.note!, /upload alone [\d.]+ s/);
  assert.ok(rows[0]!.cpuS > 0, 'the sealts upload used CPU');
});

test('push-memory benchmark runs at tiny size and reports the peak RSS of the sealts process', { timeout: 300_000 }, async () => {
  const r = await runPushMemory({ hosts: 2, files: 2, mb: 2, id: 64 });
  assert.ok(r.peakRssMb > 20 && r.peakRssMb < 200, `peak RSS ${r.peakRssMb} MB`);
  assert.ok(r.wallS > 0 && r.cpuS > 0);
});
