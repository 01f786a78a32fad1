// The compressed payload and the relay, on systemd hosts of the emulated fleet (id 50): a host
// gets the compressed copies its facts pick (zstd, or gzip where zstd is missing) and checks the
// unpacked files; hosts fetch from a seed with the run's token only, fall back to the client for a
// file the seed serves wrong or when no seed serves, and nothing of the relay outlives close().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { buildRootfs, codecFor, filesFor, loadRootfs, pushRootfs, assertRootfsIntact, Relay, type LoadedRootfs } from '../../pkg/rootfs/index.js';
import { gatherFacts } from '../../pkg/host/facts.js';
import { hostExecOf, type HostExec } from '../../pkg/host/exec.js';
import { UserError } from '../../pkg/errors/errors.js';
import { pool, target } from '../ssh/helpers.js';
import { fakeBinDir, tempDir } from './helpers.js';

let fleet: Fleet;
let dir: string;
let rootfs: LoadedRootfs;
let ssh: ReturnType<typeof pool>;
const execs = new Map<string, HostExec>();

/** 400 KB of text (compresses well) and 64 KB of random bytes (does not: it travels as it is). */
async function imagesDir(): Promise<string> {
  const images = path.join(dir, 'images');
  await mkdir(images, { recursive: true });
  await writeFile(path.join(images, 'refs'), 'all images/pause.tar registry.k8s.io/pause:3.10\nall images/noise.tar registry.k8s.io/noise:1\n');
  await writeFile(path.join(images, 'pause.tar'), 'layer of a pause image\n'.repeat(18_000));
  await writeFile(path.join(images, 'noise.tar'), randomBytes(64 * 1024));
  return images;
}

before(async () => {
  dir = await tempDir('sealts-relay-');
  const out = path.join(dir, 'img');
  await buildRootfs({ binDir: await fakeBinDir(), imagesDir: await imagesDir(), kubernetesVersion: 'v1.32.8', out });
  rootfs = await loadRootfs(out);
  fleet = await fleetUp({ id: 50, n: 4, init: 'systemd' });
  ssh = pool(fleet);
  for (const h of fleet.hosts) execs.set(h.ip, hostExecOf(await ssh.pool.connect(target(fleet, h))));
});

after(async () => {
  await ssh?.pool.closeAll();
  await fleet?.down();
  await rm(dir, { recursive: true, force: true });
});

const x = (h: FleetHost) => execs.get(h.ip)!;
const cmds = (h: FleetHost, prefix: string) => ssh.lines.filter((l) => l.host === h.name && l.kind === 'cmd' && l.line.startsWith(prefix)).map((l) => l.line);

test('build stores zstd and gzip copies of what compresses, records them, and load checks them', async () => {
  const pause = rootfs.manifest.files.find((f) => f.path === 'images/pause.tar')!;
  const noise = rootfs.manifest.files.find((f) => f.path === 'images/noise.tar')!;
  assert.ok(pause.packed?.zstd && pause.packed.gzip, 'text is stored compressed with both codecs');
  assert.ok(pause.packed.zstd.size < pause.size / 10 && pause.packed.gzip.size < pause.size / 10);
  assert.equal(noise.packed, undefined, 'random bytes are not worth a copy');
  const copy = path.join(rootfs.dir, 'payload/zstd/images/pause.tar.zst');
  const good = await readFile(copy);
  await appendFile(copy, 'x');
  await assert.rejects(loadRootfs(rootfs.dir), (e: Error) => e instanceof UserError && /payload\/zstd\/images\/pause\.tar\.zst: sha256 mismatch/.test(e.message));
  await writeFile(copy, good);
  await loadRootfs(rootfs.dir);
});

test('a host gets the copies its facts pick and checks the unpacked files; a bad copy is refused on the host', async () => {
  const [h1, h2] = fleet.hosts as [FleetHost, FleetHost];
  // h2 has no zstd: its facts say so, and it gets the gzip copies.
  await fleet.runOk(h2, ['mount', '--bind', '/dev/null', '/usr/bin/zstd']);
  try {
    const [f1, f2] = await Promise.all([gatherFacts(x(h1)), gatherFacts(x(h2))]);
    assert.equal(codecFor(f1), 'zstd');
    assert.equal(codecFor(f2), 'gzip');
    for (const [h, codec] of [[h1, 'zstd'], [h2, 'gzip']] as const) {
      assert.equal(await pushRootfs(x(h), rootfs, 'master', { codec }), 'pushed');
      await assertRootfsIntact(x(h), rootfs, 'master');
      assert.equal(await fleet.runOk(h, ['sha256sum', '/var/lib/sealts/rootfs/images/pause.tar']).then((o) => o.split(' ')[0]), rootfs.manifest.files.find((f) => f.path === 'images/pause.tar')!.sha256);
      assert.equal((await fleet.run(h, ['sh', '-c', 'ls -a /var/lib/sealts/rootfs | grep -c sealts-'])).stdout.trim(), '0', 'no copies or temp dirs left');
    }
  } finally {
    await fleet.runOk(h2, ['umount', '/usr/bin/zstd']);
  }
  // The compressed copy is what travels: a copy damaged after the image was checked fails the host's own check.
  const copy = path.join(rootfs.dir, 'payload/zstd/images/pause.tar.zst');
  const good = await readFile(copy);
  await fleet.runOk(h1, ['rm', '-f', '/var/lib/sealts/rootfs/images/pause.tar']);
  await writeFile(copy, Buffer.concat([good.subarray(0, good.length - 8), Buffer.alloc(8)]));
  try {
    await assert.rejects(pushRootfs(x(h1), rootfs, 'master', { codec: 'zstd' }), /host-11: .*(sha256 mismatch after transfer: images\/pause\.tar|images\/pause\.tar : Decoding error)/);
  } finally {
    await writeFile(copy, good);
  }
  assert.equal(await pushRootfs(x(h1), rootfs, 'master', { codec: 'zstd' }), 'pushed');
  assert.equal(await pushRootfs(x(h1), rootfs, 'master', { codec: 'zstd' }), 'unchanged');
});

/** The HTTP status h gets for GET /name from the seed at ip:port with that token header (or none). */
async function status(h: FleetHost, ip: string, port: number, name: string, token?: string): Promise<string> {
  const py = `import http.client,sys\nc=http.client.HTTPConnection(sys.argv[1],int(sys.argv[2]),timeout=5)\nc.request("GET","/"+sys.argv[3],headers={"X-Sealts-Token":sys.argv[4]} if len(sys.argv)>4 else {})\nprint(c.getresponse().status)`;
  const r = await fleet.run(h, ['python3', '-c', py, ip, String(port), name, ...(token === undefined ? [] : [token])]);
  return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim().split('\n').pop()}`;
}

test('relay: fetchers get their files from the seed with the token only; a file served wrong comes from the client; nothing outlives close()', async () => {
  const [seed, a, b, outsider] = fleet.hosts as [FleetHost, FleetHost, FleetHost, FleetHost];
  for (const h of [a, b]) await fleet.runOk(h, ['rm', '-rf', '/var/lib/sealts']);
  assert.notEqual(await pushRootfs(x(seed), rootfs, 'master'), undefined);
  const seedFiles = [...filesFor(rootfs.manifest, 'master').map((f) => f.path), 'manifest.json'];
  const relay = new Relay([{ ip: seed.ip, exec: x(seed), files: seedFiles, ready: Promise.resolve() }], [a.ip, b.ip], new Map(rootfs.manifest.files.map((f) => [f.path, f.mode])));
  let port = 0;
  try {
    const src = (await relay.sourceFor())!;
    port = Number(/:(\d+)$/.exec(src.name)![1]);
    const token = JSON.parse(src.stdin([]).split('\n')[0]!).token as string;
    assert.match(token, /^[0-9a-f]{64}$/);
    const args = await fleet.runOk(seed, ['ps', '-eww', '-o', 'args']);
    assert.equal(args.includes('X-Sealts-Token'), true, 'the server runs');
    for (let i = 0; i + 16 <= token.length; i += 16) assert.equal(args.includes(token.slice(i, i + 16)), false, 'no part of the token is in any argv');

    const [fetchedBefore, sentBefore, sentToB] = [cmds(a, 'fetch ').length, cmds(a, 'tar x').length, cmds(b, 'tar x').length];
    assert.equal(await pushRootfs(x(a), rootfs, 'node', { relay: () => relay.sourceFor() }), 'pushed');
    await assertRootfsIntact(x(a), rootfs, 'node');
    assert.equal(cmds(a, 'fetch ').length, fetchedBefore + 1, 'a fetched from the seed');
    assert.equal(cmds(a, 'tar x').length, sentBefore, 'and received nothing from the client');

    // Without the token, with another, for a name it does not serve, or from a host outside the push: 403.
    assert.equal(await status(a, seed.ip, port, 'bin/kubeadm', token), '200');
    assert.equal(await status(a, seed.ip, port, 'bin/kubeadm'), '403');
    assert.equal(await status(a, seed.ip, port, 'bin/kubeadm', 'f'.repeat(64)), '403');
    assert.equal(await status(a, seed.ip, port, '..%2Fupload-sums', token), '403');
    assert.equal(await status(a, seed.ip, port, '..%2F..%2F..%2Fetc%2Fshadow', token), '403');
    assert.equal(await status(outsider, seed.ip, port, 'bin/kubeadm', token), '403');

    // The seed's copy goes bad after it was checked: b refuses what it fetched and gets that one file from the client.
    await fleet.runOk(seed, ['sh', '-c', 'echo tampered >> /var/lib/sealts/rootfs/bin/kubelet']);
    assert.equal(await pushRootfs(x(b), rootfs, 'node', { relay: () => relay.sourceFor() }), 'pushed');
    await assertRootfsIntact(x(b), rootfs, 'node');
    assert.deepEqual(cmds(b, 'tar x').slice(sentToB), ['tar x 1 file(s) into a temp dir in /var/lib/sealts/rootfs, sha256 them'], 'only the file served wrong came from the client');
  } finally {
    await relay.close();
  }
  assert.match(await status(a, seed.ip, port, 'bin/kubeadm'), /^error: .*(refused|Connection)/i, 'the port is closed');
  assert.equal((await fleet.runOk(seed, ['sh', '-c', 'ls /run/sealts-relay 2>/dev/null | wc -l'])).trim(), '0', 'no port file left');
  assert.equal((await fleet.runOk(seed, ['ps', '-eww', '-o', 'args'])).includes('X-Sealts-Token'), false, 'no server left');
  await pushRootfs(x(seed), rootfs, 'master'); // heal the seed for the next test
});

test('relay: no seed serving (its push failed) means the client sends; close() without a start is a no-op', async () => {
  const [seed, a] = fleet.hosts as [FleetHost, FleetHost];
  await fleet.runOk(a, ['rm', '-rf', '/var/lib/sealts']);
  const failed = Promise.reject(new Error('seed push failed'));
  failed.catch(() => {});
  const relay = new Relay([{ ip: seed.ip, exec: x(seed), files: [], ready: failed }], [a.ip], new Map());
  try {
    const before = cmds(a, 'tar x').length;
    assert.equal(await pushRootfs(x(a), rootfs, 'node', { relay: () => relay.sourceFor() }), 'pushed');
    assert.equal(cmds(a, 'tar x').length, before + 1, 'from the client');
  } finally {
    await relay.close();
  }
  await new Relay([], [], new Map()).close();
});
