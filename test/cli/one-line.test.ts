// One problem, one line: a value shown in a message is quoted with its newlines and control
// characters escaped, and a long one is cut with an ellipsis, so `FILE:LINE:COL: message` stays one line.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_SHOWN, oneLine, quoted } from '../../pkg/errors/show.js';
import { sealts } from './helpers.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealts-oneline-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('one problem, one line', () => {
  it('quoted escapes and cuts; oneLine escapes control characters', () => {
    assert.equal(quoted('a\nb\tc\u0007'), '"a\\nb\\tc\\u0007"');
    const long = 'x'.repeat(200);
    assert.equal(quoted(long), JSON.stringify(`${'x'.repeat(MAX_SHOWN)}…`));
    assert.equal(oneLine('bad\nvalue\r\u001b[31m'), 'bad\\nvalue\\r\\u001b[31m');
  });

  it('the CLI: every problem of a Clusterfile with newlines, escapes and a long value is one line', async () => {
    const file = join(dir, 'Clusterfile');
    const long = `kubeadm${'-very-long'.repeat(30)}`;
    await writeFile(
      file,
      [
        'apiVersion: sealts.io/v1',
        'kind: Cluster',
        'metadata:',
        '  name: "two\\nlines"',
        'spec:',
        '  image: ./rootfs',
        `  runtime: {type: "${long}\\u001b[31m"}`,
        '  hosts:',
        '    - ips: ["198.18.0.11\\n198.18.0.12"]',
        '      roles: [master]',
        '',
      ].join('\n'),
    );
    const r = await sealts(['plan', '-f', file, '--offline', '-o', 'yaml'], { SEALTS_HOME: dir });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^error: /);
    const problems = lines.slice(1);
    assert.ok(problems.length >= 3, r.stderr);
    for (const l of problems) assert.match(l, new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: \\S`), l);
    assert.doesNotMatch(r.stderr, /\u001b/, 'no raw escape reaches the terminal');
    assert.ok(problems.some((l) => l.startsWith(`${file}:4:`) && l.includes('two\\nlines')), r.stderr);
    assert.ok(problems.some((l) => l.startsWith(`${file}:7:`) && l.includes('…') && l.length < 300), r.stderr);
    assert.ok(problems.some((l) => l.startsWith(`${file}:9:`) && l.includes('\\n')), r.stderr);
  });
});
