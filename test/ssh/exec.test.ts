// Exec on real OpenSSH hosts (fleet 20): results, errors, streaming, timeouts that kill the remote
// command, sudo for ops (NOPASSWD) and ops2 (password), hostile argv values, connection reuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { HostError } from '../../pkg/errors/errors.js';
import { Secret } from '../../pkg/secret/secret.js';
import { sh } from '../../pkg/shell/quote.js';
import { forEachHost, requireAllOk, type SshPool } from '../../pkg/ssh/index.js';
import { pool, sshConnectionCount, target, type LoggedLine } from './helpers.js';

let fleet: Fleet;
let h: FleetHost;
let p: SshPool;
let lines: LoggedLine[];

before(async () => {
  fleet = await fleetUp({ id: 20, n: 2, init: 'tini' });
  h = fleet.hosts[0]!;
  ({ pool: p, lines } = pool(fleet));
});

after(async () => {
  await p?.closeAll();
  await fleet?.down();
});

/** Values that a shell would interpret if any of them were not quoted. */
const HOSTILE = [
  '; rm -rf /',
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  "it's",
  '"double"',
  "'; echo pwned; '",
  'a\nb',
  'trailing newline\n',
  '\\backslash\\',
  '$HOME ${PATH} $$ $1',
  '*',
  '~root',
  '&& echo and || echo or | cat > /tmp/pwned',
  '-n',
  '--',
  '',
  ' leading and trailing ',
  'tab\there',
  'unicode: ünïcødé 日本語 🚀',
  '\u202e\u0007bell and rtl',
  '!history',
  '#comment',
  '%s %n',
  'x=y',
  '\r\ncrlf',
];

describe('exec', () => {
  test('returns code, stdout and stderr; streams lines to the log', async () => {
    const c = await p.connect(target(fleet, h));
    const r = await c.exec(['sh', '-c', 'echo out1; echo err1 >&2; echo out2']);
    assert.deepEqual(r, { code: 0, stdout: 'out1\nout2\n', stderr: 'err1\n' });
    const mine = lines.filter((l) => l.host === h.name);
    assert.ok(mine.some((l) => l.kind === 'stdout' && l.line === 'out2'));
    assert.ok(mine.some((l) => l.kind === 'stderr' && l.line === 'err1'));
    assert.ok(mine.some((l) => l.kind === 'cmd' && l.line.includes('echo out1')));
  });

  test('a non-zero exit is a HostError naming host, command and the last stderr lines', async () => {
    const c = await p.connect(target(fleet, h));
    await assert.rejects(
      c.exec(['sh', '-c', 'for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 7'], { step: 'probe' }),
      (e: Error) => {
        assert.ok(e instanceof HostError);
        assert.match(e.message, /^host-11: probe: `sh -c .*` exited 7: line3 \| line4 \| line5 \| line6 \| line7$/);
        return true;
      },
    );
    const r = await c.exec(['sh', '-c', 'exit 3'], { check: false });
    assert.equal(r.code, 3);
  });

  test('every hostile value reaches the remote program verbatim, in every argv position', async () => {
    const c = await p.connect(target(fleet, h));
    await fleet.run(h, ['rm', '-f', '/tmp/pwned']);
    // All at once, and each alone in first/middle/last position.
    const all = await c.exec(['printf', '%s\\0', ...HOSTILE]);
    assert.deepEqual(all.stdout.split('\0').slice(0, -1), HOSTILE);
    for (const v of HOSTILE) {
      const r = await c.exec(['printf', '%s\\0', v, 'mid', v, v]);
      assert.deepEqual(r.stdout.split('\0').slice(0, -1), [v, 'mid', v, v], JSON.stringify(v));
    }
    // As the program name too: the shell looks for a command literally named so and fails
    // (127 not found; bash reads a leading % as a job name: 1), printing nothing.
    for (const v of HOSTILE.filter((x) => x !== '')) {
      const r = await c.exec([v], { check: false });
      assert.equal(r.code, v.startsWith('%') ? 1 : 127, JSON.stringify(v));
      assert.equal(r.stdout, '', JSON.stringify(v));
    }
    // Through env values, sudo and the timeout wrapper as well.
    const ops2 = await p.connect(target(fleet, h, 'ops2'));
    for (const v of HOSTILE) {
      const r = await ops2.exec(['sh', '-c', 'printf "%s\\0" "$V" "$1"', 'sh', v], { env: { V: v }, sudo: true, timeoutMs: 20_000 });
      assert.deepEqual(r.stdout.split('\0').slice(0, -1), [v, v], JSON.stringify(v));
    }
    assert.equal((await fleet.run(h, ['test', '-e', '/tmp/pwned'])).code, 1, 'nothing was interpreted');
  });

  test('a timeout kills the remote command and its children, not only our wait', async () => {
    const c = await p.connect(target(fleet, h));
    const t0 = Date.now();
    await assert.rejects(
      c.exec(['sh', '-c', 'sleep 3017 & trap "" TERM; sleep 3018; wait'], { timeoutMs: 1000 }),
      /host-11: sh: `sh -c .*` timed out after 1000 ms and was killed/,
    );
    assert.ok(Date.now() - t0 < 8000);
    // `timeout` sends TERM (ignored by the shell above), then KILL after the grace period.
    let left = '';
    for (let i = 0; i < 40; i++) {
      left = (await fleet.run(h, ['pgrep', '-f', 'sleep 301[78]'])).stdout.trim();
      if (left === '') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(left, '', 'remote sleeps are gone');
  });

  test('sudo: ops (NOPASSWD) and ops2 (password on stdin, never in argv) run as root; stdin still reaches the command', async () => {
    for (const user of ['ops', 'ops2'] as const) {
      const c = await p.connect(target(fleet, h, user));
      assert.equal((await c.exec(['id', '-un'])).stdout.trim(), user);
      const r = await c.exec(['sh', '-c', 'id -un; cat'], { sudo: true, stdin: `payload of ${user}\n` });
      assert.equal(r.stdout, `root\npayload of ${user}\n`);
      assert.equal(r.stderr, '', 'sudo prompt and markers are not in stderr');
    }
    const pw = fleet.users.ops2.password;
    assert.ok(!lines.some((l) => l.line.includes(pw)), 'the sudo password is never logged');
  });

  test('sudo: a wrong sudo password is a clear error; no password configured is too', async () => {
    const wrong = await p.connect(target(fleet, h, 'ops2', { sudoPasswd: new Secret('not-the-password') }));
    await assert.rejects(wrong.exec(['true'], { sudo: true }), /host-11: sudo: wrong sudo password for ops2/);
    // a different pool: the pool keys connections by user@ip:port, the settings of the first one win
    const other = pool(fleet);
    try {
      const none = await other.pool.connect(target(fleet, h, 'ops2', { sudoPasswd: undefined }));
      await assert.rejects(none.exec(['true'], { sudo: true }), /a password is required.*set ssh.sudoPasswd/);
    } finally {
      await other.pool.closeAll();
    }
  });

  test('env values and stdin secrets are passed; secrets never appear in logs or errors', async () => {
    const c = await p.connect(target(fleet, h));
    const token = new Secret('s3cr3t-token-value');
    const r = await c.exec(['sh', '-c', 'cat; echo " $A"'], { stdin: token, env: { A: 'b c' }, quiet: true });
    assert.equal(r.stdout, 's3cr3t-token-value b c\n');
    await assert.rejects(c.exec(sh(['sh', '-c', 'echo "bad $1" >&2; exit 1', 'sh', token.reveal()])), (e: Error) => {
      assert.ok(!e.message.includes('s3cr3t-token-value'), e.message);
      assert.match(e.message, /\[redacted\]/);
      return true;
    });
    assert.ok(!lines.some((l) => l.line.includes('s3cr3t-token-value')));
  });

  test('one connection per host, reused by every command, also under parallel use', async () => {
    const h2 = fleet.hosts[1]!;
    const before = p.opened;
    const c = await p.connect(target(fleet, h2));
    await Promise.all(Array.from({ length: 30 }, (_, i) => c.exec(['echo', String(i)])));
    for (let i = 0; i < 5; i++) await (await p.connect(target(fleet, h2))).exec(['true']);
    assert.equal(p.opened - before, 1);
    assert.equal(await sshConnectionCount(fleet, h2), 1);
  });

  test('sshd killed mid-command: the error names host and command', async () => {
    const h2 = fleet.hosts[1]!;
    const c = await p.connect(target(fleet, h2));
    const running = c.exec(['sleep', '3019'], { step: 'long step' }).then(
      () => undefined,
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 500));
    // The sshd process serving our connection (the listener stays, as when one session crashes).
    await fleet.runOk(h2, ['pkill', '-KILL', '-f', '^sshd: root@']);
    const err = await running;
    assert.ok(err instanceof HostError);
    assert.match(err.message, /^host-12: long step: `sleep 3019`: connection lost/);
    // The pool sees the dead connection and opens a new one.
    assert.equal((await (await p.connect(target(fleet, h2))).exec(['echo', 'back'])).stdout, 'back\n');
  });

  test('fan-out: results per host; one failing host does not stop the others; the summary names it', async () => {
    const [a, b] = fleet.hosts;
    await fleet.sshdStop(b!);
    try {
      const fresh = pool(fleet, { retries: 0 });
      const results = await forEachHost(fleet.hosts, async (x) => (await fresh.pool.connect(target(fleet, x))).exec(['hostname']), { concurrency: 2 });
      await fresh.pool.closeAll();
      assert.equal(results.length, 2);
      assert.equal(results[0]!.ok, true);
      assert.equal(results[0]!.value!.stdout.trim(), a!.name);
      assert.equal(results[1]!.ok, false);
      assert.throws(() => requireAllOk(results), /1 host\(s\) failed: host-12: host-12: connect: root@198\.18\.20\.12:22: connection refused/);
    } finally {
      await fleet.sshdStart(b!);
    }
  });
});
