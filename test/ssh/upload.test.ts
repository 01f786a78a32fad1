// Uploads and small-file writes on real hosts (fleet 22): tar stream, sha256 verified, modes kept,
// unchanged files skipped, sudo users, and a link lost mid-upload leaving nothing partial in place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { Secret } from '../../pkg/secret/secret.js';
import { localHashStats, resetLocalHashMemory } from '../../pkg/ssh/local-files.js';
import { localHashCachePath, RACY_MS } from '../../pkg/ssh/local-hash-cache.js';
import { listClusters } from '../../pkg/state/store.js';
import { pool, target } from './helpers.js';

let fleet: Fleet;
let dir: string;
let a: FleetHost;
let b: FleetHost;

before(async () => {
  fleet = await fleetUp({ id: 22, n: 2, init: 'tini' });
  [a, b] = fleet.hosts as [FleetHost, FleetHost];
  dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-ssh-upload-'));
  process.env.SEALTS_HOME = path.join(dir, 'home'); // the local hash cache lives here, not in ~/.sealts
});

after(async () => {
  await fleet?.down();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** "mode owner sha256" of a remote file, read inside the host. */
async function remoteFile(h: FleetHost, p: string): Promise<string> {
  const st = (await fleet.runOk(h, ['stat', '-c', '%a %U', '--', p])).trim();
  // From stdin: sha256sum escapes a name holding a newline and would prefix the sum with "\\".
  const sum = (await fleet.runOk(h, ['sh', '-c', 'sha256sum < "$1"', 'sh', p])).split(' ')[0];
  return `${st} ${sum}`;
}

// A newline or backslash in a name also switches the host's hashing from openssl to sha256sum -z.
const NAMES = ['plain.txt', 'with space', "quo'te\"s", 'sub/dir/deep.bin', 'ünï 日本', '$(touch x)', '-leading-dash', 'new\nline', 'back\\slash'];

describe('upload', () => {
  test('a directory: every file arrives with its content and mode; a re-run skips all; one change sends one', async () => {
    const src = path.join(dir, 'tree');
    for (const [i, n] of NAMES.entries()) {
      await mkdir(path.dirname(path.join(src, n)), { recursive: true });
      await writeFile(path.join(src, n), `content ${i} ${n}\n`);
    }
    await chmod(path.join(src, 'plain.txt'), 0o600);
    await chmod(path.join(src, 'sub/dir/deep.bin'), 0o755);
    const p = pool(fleet);
    const c = await p.pool.connect(target(fleet, a));
    const dest = '/opt/up load';
    const first = await c.upload(src, dest);
    assert.deepEqual([...first.sent].sort(), [...NAMES].sort());
    assert.deepEqual(first.skipped, []);
    for (const [i, n] of NAMES.entries()) {
      const mode = n === 'plain.txt' ? '600' : n === 'sub/dir/deep.bin' ? '755' : '644';
      assert.equal(await remoteFile(a, `${dest}/${n}`), `${mode} root ${sha(`content ${i} ${n}\n`)}`, n);
    }
    assert.equal((await fleet.runOk(a, ['ls', '-A', dest])).includes('.sealts-upload'), false, 'no temp dir left');

    const again = await c.upload(src, dest);
    assert.deepEqual(again, { sent: [], skipped: NAMES.slice().sort((x, y) => x.localeCompare(y)) });

    await writeFile(path.join(src, 'with space'), 'changed\n');
    const third = await c.upload(src, dest);
    assert.deepEqual(third.sent, ['with space']);
    assert.equal(third.skipped.length, NAMES.length - 1);
    assert.equal(await remoteFile(a, `${dest}/with space`), `644 root ${sha('changed\n')}`);
    await p.pool.closeAll();
  });

  test('re-push of unchanged files is one remote command; a file changed behind our back is still caught', async () => {
    const src = path.join(dir, 'cached');
    await mkdir(src, { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(path.join(src, `f${i}`), `file ${i}\n`);
    const p = pool(fleet);
    const c = await p.pool.connect(target(fleet, a));
    const first = p.lines.length;
    assert.equal((await c.upload(src, '/srv/cached')).sent.length, 5);
    // A first upload is four round trips: probe, unpack + hash, move into place, record the sums.
    assert.deepEqual(
      p.lines.slice(first).filter((l) => l.kind === 'cmd').map((l) => l.line.replace(/[0-9a-f]{32}\.json/, 'X.json').replace(/ \(\d+ bytes, mode 600\) atomically$/, '')),
      ['stat 5 file(s) in /srv/cached', 'tar x 5 file(s) into a temp dir in /srv/cached, sha256 them', 'move 5 file(s) into /srv/cached', 'write /var/lib/sealts/upload-sums/X.json'],
    );
    const mark = p.lines.length;
    assert.equal((await c.upload(src, '/srv/cached')).skipped.length, 5);
    assert.deepEqual(
      p.lines.slice(mark).filter((l) => l.kind === 'cmd').map((l) => l.line),
      ['stat 5 file(s) in /srv/cached'],
    );
    // Same size, mtime put back: only the ctime tells, and that is enough.
    await fleet.runOk(a, ['sh', '-c', 'cp -p /srv/cached/f1 /tmp/ref && printf "FILE 1\n" > /srv/cached/f1 && touch -r /tmp/ref /srv/cached/f1']);
    const r = await c.upload(src, '/srv/cached');
    assert.deepEqual(r.sent, ['f1']);
    assert.equal(await fleet.runOk(a, ['cat', '/srv/cached/f1']), 'file 1\n');
    await p.pool.closeAll();
  });

  test('--concurrent-uploads bounds the data streams, not the probing: with 1, one host sends while the other waits', async () => {
    const src = path.join(dir, 'slots');
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, 'blob'), randomBytes(8 << 20));
    const p = pool(fleet, { concurrentUploads: 1 });
    const [ca, cb] = await Promise.all([a, b].map((h) => p.pool.connect(target(fleet, h))));
    const slots = ca!.uploadSlots;
    let maxActive = 0;
    let sawWaiting = false;
    const watch = setInterval(() => {
      maxActive = Math.max(maxActive, slots.activeCount);
      sawWaiting ||= slots.activeCount === 1 && slots.pendingCount === 1;
    }, 2);
    try {
      await Promise.all([ca!.upload(src, '/srv/slots'), cb!.upload(src, '/srv/slots')]);
    } finally {
      clearInterval(watch);
    }
    assert.equal(maxActive, 1);
    assert.ok(sawWaiting, 'the second stream waited for the first');
    // Probing (stat) is not a data stream: both hosts probed before either sent anything.
    const cmds = p.lines.filter((l) => l.kind === 'cmd').map((l) => l.line.split(' ')[0]);
    assert.deepEqual(cmds.slice(0, 3), ['stat', 'stat', 'tar'], cmds.join(' '));
    await p.pool.closeAll();
  });

  test('a new run re-hashes no unchanged local file (stat-keyed cache in SEALTS_HOME); any write is still caught', async () => {
    const src = path.join(dir, 'local-cache');
    await mkdir(src, { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(path.join(src, `f${i}`), `local file ${i}\n`);
    await new Promise((r) => setTimeout(r, RACY_MS + 200)); // older than the racy window: cacheable
    const dest = '/srv/local-cache';
    /** One upload as a fresh sealts process would do it: nothing known in memory, the cache file read again. */
    const freshRun = async (beforeUpload?: () => Promise<void>) => {
      resetLocalHashMemory();
      const p = pool(fleet);
      const c = await p.pool.connect(target(fleet, a));
      await beforeUpload?.();
      const mark = p.lines.length;
      const r = await c.upload(src, dest);
      const cmds = p.lines.slice(mark).filter((l) => l.kind === 'cmd').map((l) => l.line);
      await p.pool.closeAll();
      return { ...r, hashed: localHashStats().filesHashed, cmds };
    };
    const first = await freshRun();
    assert.equal(first.sent.length, 4);
    assert.equal(first.hashed, 4);
    const cacheFile = localHashCachePath();
    assert.equal(cacheFile, path.join(dir, 'home', '.cache', 'local-sha256.json'));
    assert.equal((await stat(cacheFile)).mode & 0o777, 0o600);
    assert.deepEqual(await listClusters(), [], 'the cache dir is not taken for a cluster');
    assert.ok((await readFile(cacheFile, 'utf8')).includes(sha('local file 0\n')));

    const unchanged = await freshRun();
    assert.deepEqual(unchanged.sent, []);
    assert.equal(unchanged.hashed, 0, 'no local file read');
    assert.deepEqual(unchanged.cmds, ['stat 4 file(s) in /srv/local-cache'], 'one remote command');

    // Same size, new mtime: hashed again and sent.
    await writeFile(path.join(src, 'f1'), 'LOCAL FILE 1\n');
    const sameSize = await freshRun();
    assert.deepEqual(sameSize.sent, ['f1']);
    assert.equal(sameSize.hashed, 1);
    assert.equal(await fleet.runOk(a, ['cat', `${dest}/f1`]), 'LOCAL FILE 1\n');

    // Same size AND the mtime put back to the nanosecond (touch -r): only the ctime differs, and that is enough.
    const f2 = path.join(src, 'f2');
    const ref = path.join(dir, 'f2.ref');
    await writeFile(ref, '');
    const touchRef = (from: string, to: string) =>
      new Promise<void>((ok, fail) => execFile('touch', ['-r', from, '--', to], (e) => (e ? fail(e) : ok())));
    await touchRef(f2, ref);
    const old = await stat(f2, { bigint: true });
    await writeFile(f2, 'LOCAL FILE 2\n');
    await touchRef(ref, f2);
    const now = await stat(f2, { bigint: true });
    assert.equal(now.mtimeNs, old.mtimeNs, 'mtime restored exactly');
    assert.equal(now.size, old.size);
    assert.notEqual(now.ctimeNs, old.ctimeNs);
    const restored = await freshRun();
    assert.deepEqual(restored.sent, ['f2'], 'content changed with mtime restored is re-sent');
    assert.equal(await fleet.runOk(a, ['cat', `${dest}/f2`]), 'LOCAL FILE 2\n');

    // A file written just now is racy (a second write in the same timestamp tick would look
    // unchanged): it is hashed but not remembered.
    // Written once connected, so it is still younger than RACY_MS when hashing starts however slow
    // the connect was.
    assert.deepEqual((await freshRun(() => writeFile(path.join(src, 'f3'), 'LOCAL FILE 3\n'))).sent, ['f3']);
    const entries = (JSON.parse(await readFile(cacheFile, 'utf8')) as { entries: Record<string, unknown> }).entries;
    assert.ok(path.join(src, 'f0') in entries);
    assert.equal(path.join(src, 'f3') in entries, false, 'racy f3 not remembered');
    const again = await freshRun();
    assert.deepEqual(again.sent, []);
    assert.ok(again.hashed >= 1, 'f3 is hashed again');
  });

  test('named files and a sudo user (ops2, password): files land root-owned in a root-only dir', async () => {
    const f = path.join(dir, 'local-name');
    await writeFile(f, 'via sudo\n', { mode: 0o640 });
    const p = pool(fleet);
    const c = await p.pool.connect(target(fleet, a, 'ops2'));
    const r = await c.upload([{ path: f, name: 'etc/remote-name.conf' }], '/root/sudo-dest', { sudo: true });
    assert.deepEqual(r, { sent: ['etc/remote-name.conf'], skipped: [] });
    assert.equal(await remoteFile(a, '/root/sudo-dest/etc/remote-name.conf'), `640 root ${sha('via sudo\n')}`);
    assert.deepEqual(await c.upload([{ path: f, name: 'etc/remote-name.conf' }], '/root/sudo-dest', { sudo: true }), {
      sent: [],
      skipped: ['etc/remote-name.conf'],
    });
    await p.pool.closeAll();
  });

  test('link down mid-upload: the old file stays in place, nothing partial; a re-run completes', async () => {
    const src = path.join(dir, 'big');
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, 'blob'), 'old version\n');
    const p = pool(fleet, { keepaliveIntervalMs: 500 });
    const c = await p.pool.connect(target(fleet, b));
    await c.upload(src, '/srv/big');
    const big = randomBytes(8 << 20);
    await writeFile(path.join(src, 'blob'), big);

    await fleet.rateLimit(b, 4000); // ~0.5 MB/s: the 8 MiB upload takes ~16 s
    const upload = c.upload(src, '/srv/big').then(
      () => undefined,
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 2000));
    await fleet.linkDown(b);
    const err = await upload;
    assert.ok(err, 'the upload failed');
    assert.match(err.message, /^host-12: upload to \/srv\/big: .*connection lost/);
    await fleet.linkUp(b);
    await fleet.clearRateLimit(b);
    assert.equal(await remoteFile(b, '/srv/big/blob'), `644 root ${sha('old version\n')}`, 'old file intact');

    assert.equal(c.alive, false);
    const rerun = await (await p.pool.connect(target(fleet, b))).upload(src, '/srv/big'); // a new connection
    assert.deepEqual(rerun.sent, ['blob']);
    assert.equal(await remoteFile(b, '/srv/big/blob'), `644 root ${sha(big)}`);
    assert.equal((await fleet.runOk(b, ['ls', '-A', '/srv/big'])).trim(), 'blob', 'temp dir of the failed upload removed');
    await p.pool.closeAll();
  });
});

describe('writeFile / readFile', () => {
  test('atomic write with mode; unchanged content is not rewritten; secrets and sudo', async () => {
    const p = pool(fleet);
    const c = await p.pool.connect(target(fleet, a, 'ops'));
    assert.equal(await c.writeFile('/etc/sealts/test.conf', 'a=1\n', 0o644, { sudo: true }), true);
    const inode = await fleet.runOk(a, ['stat', '-c', '%i', '/etc/sealts/test.conf']);
    assert.equal(await c.writeFile('/etc/sealts/test.conf', 'a=1\n', 0o644, { sudo: true }), false);
    assert.equal(await fleet.runOk(a, ['stat', '-c', '%i', '/etc/sealts/test.conf']), inode, 'same file, not rewritten');
    assert.equal(await c.writeFile('/etc/sealts/test.conf', 'a=1\n', 0o600, { sudo: true }), false);
    assert.equal(await remoteFile(a, '/etc/sealts/test.conf'), `600 root ${sha('a=1\n')}`, 'mode fixed');

    const key = new Secret('-----BEGIN PRIVATE KEY-----\nsecret-bytes\n');
    assert.equal(await c.writeFile('/etc/sealts/key.pem', key, 0o600, { sudo: true }), true);
    assert.equal((await c.readFile('/etc/sealts/key.pem', { sudo: true })).toString(), key.reveal());
    assert.equal((await fleet.runOk(a, ['ls', '-A', '/etc/sealts'])).trim().split('\n').sort().join(' '), 'key.pem test.conf');
    assert.ok(!p.lines.some((l) => l.line.includes('secret-bytes')));
    await assert.rejects(c.readFile('/etc/sealts/missing'), /host-11: read \/etc\/sealts\/missing: `cat -- \/etc\/sealts\/missing` exited 1/);
    await p.pool.closeAll();
  });
});
