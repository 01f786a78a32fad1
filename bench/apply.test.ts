// Smoke run of bench/apply.ts at tiny size (fleet 47): both applies complete and are timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runApplyBench } from './apply.js';

test('apply benchmark runs at tiny size (1 master + 1 node vs 1 master + 2 nodes)', { timeout: 900_000 }, async () => {
  const { rows, ratio, markdown, failed } = await runApplyBench({ masters: 1, small: 1, large: 2, id: 47 });
  assert.equal(rows.length, 2);
  // A failed apply no longer throws: show its error in full before anything else.
  assert.deepEqual(rows.filter((r) => r.error !== undefined).map((r) => r.error), []);
  assert.equal(failed, false);
  for (const r of rows) assert.ok(r.wallS > 0 && Number.isFinite(r.wallS));
  assert.ok(Number.isFinite(ratio));
  assert.match(markdown, /ratio large\/small/);
});
