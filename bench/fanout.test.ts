// Smoke run of bench/fanout.ts at tiny size (fleet 63): every row produces real numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFanout } from './fanout.js';

test('fan-out benchmark runs at tiny size and measures every row', { timeout: 300_000 }, async () => {
  const { rows, table, failed } = await runFanout({ hosts: 2, runs: 1, id: 63, ansibleCommand: false });
  // A failed row no longer throws: show its error in full before anything else.
  assert.deepEqual(rows.filter((r) => r.error !== undefined || r.failures?.length).map((r) => `${r.name}: ${r.error ?? r.failures![0]!.error}`), []);
  assert.equal(failed, false);
  assert.deepEqual(
    rows.map((r) => r.name),
    [
      'sealts (ssh2, curve25519)',
      'pssh -p2 default KEX',
      'pssh -p2 curve25519',
      'OpenSSH loop default KEX',
      'OpenSSH loop curve25519',
      'ansible -m raw -f2 default KEX',
      'ansible -m raw -f2 curve25519',
    ],
  );
  for (const r of rows) {
    assert.ok(r.wallS > 0 && Number.isFinite(r.wallS), `${r.name} wall`);
    assert.ok(r.cpuS > 0 && Number.isFinite(r.cpuS), `${r.name} cpu`);
    assert.ok(r.peakRssMb > 1 && Number.isFinite(r.peakRssMb), `${r.name} rss`);
    assert.ok(r.ratio !== undefined && r.ratio > 0, `${r.name} ratio`);
  }
  assert.match(table, /\| pssh -p2 default KEX \| [\d.]+ \| 1\.00 \|/);
});
