import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { chalkFor, createProgress, wantsColor } from '../../pkg/output/index.js';
import { confirm } from '../../pkg/output/confirm.js';
import { Secret } from '../../pkg/secret/secret.js';

function sink(isTTY: boolean): PassThrough & { isTTY?: boolean; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; text(): string };
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.isTTY = isTTY;
  s.text = () => Buffer.concat(chunks).toString('utf8');
  return s;
}

describe('output', () => {
  it('colours only on a TTY and only without NO_COLOR', () => {
    assert.equal(wantsColor({ write: () => true, isTTY: true }, {}), true);
    assert.equal(wantsColor({ write: () => true, isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ write: () => true, isTTY: false }, {}), false);
    assert.equal(chalkFor({ write: () => true, isTTY: true }, { NO_COLOR: '1' }).red('x'), 'x');
    assert.notEqual(chalkFor({ write: () => true, isTTY: true }, {}).red('x'), 'x');
  });

  it('without a TTY progress is plain timestamped lines with no escape codes, secrets redacted', async () => {
    const s = sink(false);
    const p = await createProgress({ stream: s });
    const pw = new Secret('hunter2-very-secret');
    p.phaseStart(0, 3, 'Connect');
    p.hostDone('198.18.50.11', true, 12);
    p.hostDone('198.18.50.12', false, 40, `auth failed with ${pw.reveal()}`);
    p.phaseFailed('Connect', 52, 'boom');
    const text = s.text();
    const ls = text.trimEnd().split('\n');
    assert.equal(ls.length, 4);
    for (const l of ls) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    assert.match(ls[0]!, /Z \[1\/3\] Connect \.\.\.$/);
    assert.match(ls[2]!, /198\.18\.50\.12: failed: auth failed with \[redacted\]$/);
    assert.doesNotMatch(text, /\x1b\[/);
    assert.doesNotMatch(text, /hunter2/);
  });

  it('on a TTY progress uses a spinner (escape codes) and ends with the phase result', async () => {
    // A stand-in terminal: the cursor methods a tty.WriteStream has, writing the real escape codes.
    const s = Object.assign(sink(true), {
      columns: 80,
      cursorTo(x: number) {
        s.write(`\x1b[${x + 1}G`);
        return true;
      },
      clearLine() {
        s.write('\x1b[2K');
        return true;
      },
      moveCursor(_dx: number, dy: number) {
        s.write(dy < 0 ? `\x1b[${-dy}A` : dy > 0 ? `\x1b[${dy}B` : '');
        return true;
      },
    });
    const p = await createProgress({ stream: s, env: {} });
    p.phaseStart(0, 1, 'Push rootfs');
    p.hostDone('198.18.50.11', true, 5);
    p.phaseDone('Push rootfs', 1500);
    const text = s.text();
    assert.match(text, /\x1b\[/);
    assert.match(text, /Push rootfs/);
    assert.match(text, /1\.5s/);
  });

  it('a long phase keeps telling: the spinner redraws hosts done/total and elapsed every second', async () => {
    const s = Object.assign(sink(true), {
      columns: 80,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const p = await createProgress({ stream: s, env: { NO_COLOR: '1' } });
    p.phaseStart(2, 9, 'Join nodes');
    p.hostsStarting(3);
    p.hostDone('198.18.50.12', true, 5);
    await new Promise((r) => setTimeout(r, 2300));
    p.phaseDone('Join nodes', 2300);
    const frames = s.text();
    // (a timer may fire a millisecond before a second has passed by the clock the phase reads)
    assert.match(frames, /\[3\/9\] Join nodes {2}1\/3 hosts, (99\dms|1\.\ds)/, 'the count and the time after one second');
    assert.match(frames, /\[3\/9\] Join nodes {2}1\/3 hosts, 2\.\ds/, 'and again a second later');
  });

  it('plain lines: host counts on each host, and a still-running line every heartbeat', async () => {
    const s = sink(false);
    const p = await createProgress({ stream: s, heartbeatMs: 200 });
    p.phaseStart(0, 2, 'Push rootfs');
    p.hostsStarting(2);
    p.hostDone('198.18.50.11', true, 5);
    await new Promise((r) => setTimeout(r, 500));
    p.phaseDone('Push rootfs', 500);
    const before = s.text();
    await new Promise((r) => setTimeout(r, 400));
    const lines = before.trimEnd().split('\n');
    assert.match(lines[1]!, /198\.18\.50\.11: ok \(5ms\) \[1\/2\]$/);
    const beats = lines.filter((l) => /\[1\/2\] Push rootfs: still running \(1\/2 hosts, \d+ms\)$/.test(l));
    assert.ok(beats.length >= 2, before);
    assert.equal(s.text(), before, 'no heartbeat after the phase ended');
  });

  it('confirm refuses without a terminal, passes with --yes, and reads y/N on a terminal', async () => {
    const notTty = Object.assign(new PassThrough(), { isTTY: false });
    await assert.rejects(confirm('wipe everything?', { yes: false, input: notTty }), /^UserError: wipe everything: refusing without confirmation \(stdin is not a terminal\); pass --yes$/);
    await confirm('wipe everything?', { yes: true, input: notTty });
    for (const [answer, ok] of [['y\n', true], ['yes\n', true], ['n\n', false], ['\n', false]] as const) {
      const tty = Object.assign(new PassThrough(), { isTTY: true });
      const out = sink(false);
      const pending = confirm('wipe everything?', { yes: false, input: tty, output: out });
      tty.write(answer);
      if (ok) await pending;
      else await assert.rejects(pending, /aborted: not confirmed/);
      assert.match(out.text(), /wipe everything\? \[y\/N\]/);
    }
  });
});
