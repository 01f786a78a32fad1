// Push, verify, init.sh and clean.sh against real systemd hosts of the emulated fleet (id 41).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { buildRootfs, loadRootfs, pushRootfs, runCleanScript, runInitScript, assertRootfsIntact, type LoadedRootfs } from '../../pkg/rootfs/index.js';
import { HostError } from '../../pkg/errors/errors.js';
import { fleetExec } from '../runtime/fleet-exec.js';
import { hostExecOf } from '../../pkg/host/exec.js';
import { pool, target } from '../ssh/helpers.js';
import { upperSnapshot, snapshotDiff } from '../e2e/upper-snapshot.js';
import { fakeBinDir, tempDir } from './helpers.js';

let fleet: Fleet;
let rootfs: LoadedRootfs;
let out: string;

before(async () => {
  out = path.join(await tempDir('sealts-push-'), 'img.tar.gz');
  await buildRootfs({ binDir: await fakeBinDir(), kubernetesVersion: 'v1.32.8', out });
  rootfs = await loadRootfs(out);
  fleet = await fleetUp({ id: 41, n: 2, init: 'systemd' });
});

after(async () => {
  await fleet?.down();
  await rootfs?.close();
  await rm(path.dirname(out), { recursive: true, force: true });
});

test('push over SSH skips an unchanged image, heals a tampered or extra file; a tampered file stops the host until then', async () => {
  const [h1] = fleet.hosts;
  const ssh = pool(fleet);
  const x = hostExecOf(await ssh.pool.connect(target(fleet, h1!)));
  try {
    assert.equal(await pushRootfs(x, rootfs), 'pushed');
    assert.equal((await fleet.runOk(h1!, ['cat', '/var/lib/sealts/rootfs/manifest.json'])).includes('v1.32.8'), true);
    await assertRootfsIntact(x, rootfs);
    const sent = ssh.lines.filter((l) => l.kind === 'cmd' && l.line.startsWith('tar x')).length;
    assert.equal(await pushRootfs(x, rootfs), 'unchanged');
    assert.equal(ssh.lines.filter((l) => l.kind === 'cmd' && l.line.startsWith('tar x')).length, sent, 'nothing sent again');

    await fleet.runOk(h1!, ['sh', '-c', 'echo evil >> /var/lib/sealts/rootfs/bin/kubeadm']);
    await assert.rejects(assertRootfsIntact(x, rootfs), (e: Error) => e instanceof HostError && /host-11: verify rootfs: .*bin\/kubeadm: FAILED/.test(e.message));
    await fleet.runOk(h1!, ['touch', '/var/lib/sealts/rootfs/bin/smuggled']);
    await fleet.runOk(h1!, ['chmod', '0600', '/var/lib/sealts/rootfs/scripts/init.sh']);
    await assert.rejects(assertRootfsIntact(x, rootfs), /bin\/smuggled: not in the manifest/);
    // The next push heals the host: the tampered file is sent again, the stray one removed, the mode put back.
    assert.equal(await pushRootfs(x, rootfs), 'pushed');
    await assertRootfsIntact(x, rootfs);
  } finally {
    await ssh.pool.closeAll();
  }
});

test('a push corrupted in transit is refused and leaves the files in place untouched', async () => {
  const h2 = fleet.hosts[0]!;
  const ssh = pool(fleet);
  const x = hostExecOf(await ssh.pool.connect(target(fleet, h2)));
  // The host's `tar` (first in PATH) damages every file it unpacks, as a broken transfer would.
  const wrapper = '#!/bin/sh\n/usr/bin/tar "$@"; rc=$?\nfor a; do d=$a; done\nfind "$d" -type f -exec sh -c \'printf X >> "$1"\' sh {} \\;\nexit $rc\n';
  await fleet.runOk(h2, ['rm', '-rf', '/var/lib/sealts/rootfs', '/var/lib/sealts/upload-sums']);
  await fleet.runOk(h2, ['sh', '-c', 'cat > /usr/local/bin/tar && chmod 755 /usr/local/bin/tar'], { input: wrapper });
  try {
    await assert.rejects(pushRootfs(x, rootfs), (e: Error) => e instanceof HostError && /host-11: .*sha256 mismatch after transfer: bin\//.test(e.message));
    assert.equal((await fleet.runOk(h2, ['sh', '-c', 'find /var/lib/sealts/rootfs -type f | wc -l'])).trim(), '0', 'nothing placed');
  } finally {
    await fleet.runOk(h2, ['rm', '-f', '/usr/local/bin/tar']);
    await ssh.pool.closeAll();
  }
  // With the transfer healthy again, the same push completes.
  const again = pool(fleet);
  try {
    assert.equal(await pushRootfs(hostExecOf(await again.pool.connect(target(fleet, h2))), rootfs), 'pushed');
  } finally {
    await again.pool.closeAll();
  }
});

test('init.sh installs binaries, kubelet unit + drop-in, sysctl and module files, enables kubelet; idempotent; clean.sh undoes it exactly', async () => {
  const h2 = fleet.hosts[1]!;
  const x = fleetExec(fleet, h2);
  const pristine = await upperSnapshot(fleet, h2);
  const kubectlBefore = await fleet.runOk(h2, ['sha256sum', '/usr/bin/kubectl']);
  await pushRootfs(x, rootfs);
  await runInitScript(x);
  await runInitScript(x); // idempotent: second run must not back up our own files as "originals"
  assert.match(await fleet.runOk(h2, ['/usr/bin/kubeadm', 'version']), /kubeadm test binary version/);
  assert.match(await fleet.runOk(h2, ['/usr/bin/kubectl']), /kubectl test binary/);
  assert.equal((await fleet.runOk(h2, ['systemctl', 'is-enabled', 'kubelet'])).trim(), 'enabled');
  assert.match(await fleet.runOk(h2, ['systemctl', 'cat', 'kubelet']), /10-kubeadm.conf[\s\S]*KUBELET_KUBEADM_ARGS/);
  assert.match(await fleet.runOk(h2, ['cat', '/etc/sysctl.d/99-sealts-kubernetes.conf']), /net.ipv4.ip_forward = 1/);
  assert.match(await fleet.runOk(h2, ['cat', '/etc/modules-load.d/sealts-kubernetes.conf']), /br_netfilter/);

  await runCleanScript(x);
  assert.equal(await fleet.runOk(h2, ['sha256sum', '/usr/bin/kubectl']), kubectlBefore, 'the original kubectl is back');
  assert.notEqual((await fleet.run(h2, ['systemctl', 'cat', 'kubelet'])).code, 0, 'no kubelet unit left');
  const diff = snapshotDiff(pristine, await upperSnapshot(fleet, h2));
  assert.deepEqual(diff, [], `host differs from fleet-up after clean:\n${diff.join('\n')}`);
  await runCleanScript(x); // safe twice
});

test('a node receives and checks only its part (no etcd tools, no kubectl, no control-plane image); as a master it gets what it lacks, as a node again loses it', async () => {
  const h2 = fleet.hosts[1]!;
  const ssh = pool(fleet);
  const x = hostExecOf(await ssh.pool.connect(target(fleet, h2)));
  const dir = await tempDir('sealts-push-roles-');
  const bin = await fakeBinDir();
  for (const b of ['etcdctl', 'etcdutl']) await writeFile(path.join(bin, b), '#!/bin/sh\necho test\n', { mode: 0o755 });
  const images = path.join(dir, 'images');
  await mkdir(images);
  await writeFile(path.join(images, 'refs'), 'master images/apiserver.tar registry.k8s.io/kube-apiserver:v1.32.8\nall images/pause.tar registry.k8s.io/pause:3.10\n');
  await writeFile(path.join(images, 'apiserver.tar'), 'control plane image bytes');
  await writeFile(path.join(images, 'pause.tar'), 'pause image bytes');
  const image = path.join(dir, 'roles.tar.gz');
  const m = await buildRootfs({ binDir: bin, imagesDir: images, kubernetesVersion: 'v1.32.8', out: image });
  const masterOnly = m.files.filter((f) => f.roles?.join() === 'master').map((f) => f.path).sort();
  assert.deepEqual(masterOnly, ['bin/etcdctl', 'bin/etcdutl', 'bin/kubectl', 'images/apiserver.tar']);
  const r = await loadRootfs(image);
  const has = async (p: string) => (await fleet.run(h2, ['test', '-e', `/var/lib/sealts/rootfs/${p}`])).code === 0;
  try {
    assert.equal(await pushRootfs(x, r, 'node'), 'pushed');
    for (const p of masterOnly) assert.equal(await has(p), false, `a node got ${p}`);
    assert.equal(await has('images/pause.tar'), true);
    assert.equal(await has('bin/kubeadm'), true);
    await assertRootfsIntact(x, r, 'node');
    await assert.rejects(assertRootfsIntact(x, r, 'master'), /bin\/etcdctl: FAILED/, 'a master would be missing its part');
    assert.equal(await pushRootfs(x, r, 'master'), 'pushed');
    for (const p of masterOnly) assert.equal(await has(p), true, `a master lacks ${p}`);
    assert.equal(await pushRootfs(x, r, 'master'), 'unchanged');
    assert.equal(await pushRootfs(x, r, 'node'), 'pushed');
    for (const p of masterOnly) assert.equal(await has(p), false, `a node kept ${p}`);
  } finally {
    await r.close();
    await runCleanScript(x);
    await ssh.pool.closeAll();
    await rm(dir, { recursive: true, force: true });
  }
});
