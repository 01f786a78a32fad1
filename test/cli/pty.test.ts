// On a pseudo-terminal that reports 0 columns (`script`, some CI runners, `stty cols 0`) the
// spinner used to loop: megabytes of cursor moves, growing memory, SIGTERM ignored. Progress must
// fall back to plain lines there and the run end as it would anywhere else.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spinnerFits } from '../../pkg/output/progress.js';
import { REPO, usableExample } from './helpers.js';

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'sealts-pty-'));
});
after(() => rm(home, { recursive: true, force: true }));

/** `sealts ARGS` on a pty of `cols` columns (util-linux `script`), with a hard deadline. */
function onPty(cols: number, args: string): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const cmd = `stty cols ${cols} rows 24; exec node --import tsx cmd/sealts.ts ${args}`;
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: REPO, env: { ...process.env, SEALTS_HOME: home, NO_COLOR: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, out, ms: Date.now() - t0 });
    });
    child.stdin.end();
  });
}

describe('progress on any terminal size', () => {
  it('a 0-column pty gets plain lines and the run ends (no spinner loop)', async () => {
    // The example's hosts cannot be reached from here: apply fails at Connect, after its progress starts.
    const r = await onPty(0, `apply -f ${await usableExample('clusterfiles/fleet/single-master.yaml', home)} --yes`);
    assert.ok(r.ms < 45_000, `ended after ${r.ms} ms`);
    assert.notEqual(r.code, null, 'ended by itself, not by the deadline');
    assert.ok(r.out.length < 20_000, `${r.out.length} bytes written`);
    assert.match(r.out, /^\S*\d{4}-\d\d-\d\dT\S+\S* .*Connect/m, 'plain, timestamped progress lines');
  });

  it('spinnerFits: only a TTY with a usable width', () => {
    assert.equal(spinnerFits({ write: () => true, isTTY: true, columns: 80 } as never), true);
    assert.equal(spinnerFits({ write: () => true, isTTY: true, columns: 0 } as never), false);
    assert.equal(spinnerFits({ write: () => true, isTTY: true } as never), false);
    assert.equal(spinnerFits({ write: () => true, isTTY: false, columns: 80 } as never), false);
  });
});
