// The overhead ratio of bench/real-apply.ts is only as good as its reading of the host logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalPathMs, kubeadmCommands } from './real-apply.js';

test('kubeadm init/join durations come from the exit line after each command', () => {
  const log = [
    "2026-12-02T02:04:10.000Z cmd    sh -c 'set -e",
    'tar -x -f - -C /',
    "done' sh /etc/sealts/kubeadm-init.yaml && sh -c 'f=$1' sh kubeadm init --config /etc/sealts/kubeadm-init.yaml",
    '2026-12-02T02:04:31.000Z stdout [init] ok',
    '2026-12-02T02:04:31.100Z exit   0 after 21100 ms: sh',
    '2026-12-02T02:04:32.000Z cmd    sh -c true',
    '2026-12-02T02:04:32.100Z exit   0 after 12 ms: sh',
  ].join('\n');
  assert.deepEqual(kubeadmCommands('m0', log), [{ host: 'm0', kind: 'init', ms: 21100 }]);
  const cmds = [
    { host: 'm0', kind: 'init' as const, ms: 20000 },
    { host: 'm1', kind: 'join' as const, ms: 8000 },
    { host: 'm2', kind: 'join' as const, ms: 9000 },
    { host: 'n1', kind: 'join' as const, ms: 5000 },
    { host: 'n2', kind: 'join' as const, ms: 7000 },
  ];
  // masters one after another, nodes in parallel: the slowest node counts once
  assert.equal(criticalPathMs(cmds, new Set(['m0', 'm1', 'm2'])), 20000 + 8000 + 9000 + 7000);
});
