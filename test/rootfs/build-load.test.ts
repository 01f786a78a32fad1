import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { buildRootfs, loadRootfs, readManifest } from '../../pkg/rootfs/index.js';
import { UserError } from '../../pkg/errors/errors.js';
import { register } from '../../cmd/commands/rootfs.js';
import { fakeBinDir, tempDir } from './helpers.js';

test('build a directory image: skeleton + binaries + images, manifest lists every file with sha256 and mode', async () => {
  const bins = await fakeBinDir(undefined, 'v1.32.8');
  const images = await tempDir('sealts-images-');
  await writeFile(path.join(images, 'pause.tar'), 'not really a tar');
  const out = path.join(await tempDir('sealts-out-'), 'img');
  try {
    const m = await buildRootfs({ binDir: bins, imagesDir: images, kubernetesVersion: '1.32.8', arch: 'amd64', out });
    assert.equal(m.kubernetesVersion, 'v1.32.8');
    assert.equal(m.arch, 'amd64');
    const paths = m.files.map((f) => f.path);
    for (const p of ['bin/kubeadm', 'bin/kubelet', 'bin/kubectl', 'bin/crictl', 'scripts/init.sh', 'scripts/clean.sh', 'etc/kubelet.service', 'etc/10-kubeadm.conf', 'images/pause.tar']) {
      assert.ok(paths.includes(p), `${p} in manifest`);
    }
    assert.ok(!paths.some((p) => p.endsWith('.keep')), 'placeholder files are not shipped');
    const kubeadm = m.files.find((f) => f.path === 'bin/kubeadm')!;
    assert.equal(kubeadm.mode, '755');
    const expected = execFileSync('sha256sum', [path.join(out, 'bin/kubeadm')]).toString().split(' ')[0];
    assert.equal(kubeadm.sha256, expected);
    assert.deepEqual(await readManifest(out), m);
    const loaded = await loadRootfs(out);
    assert.equal(loaded.dir, out);
    await loaded.close();
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('tar.gz image round-trips; load refuses a tampered, extra, or re-moded file', async () => {
  const bins = await fakeBinDir(undefined, 'v1.30.1');
  const outDir = await tempDir('sealts-out-');
  const tgz = path.join(outDir, 'img.tar.gz');
  await buildRootfs({ binDir: bins, kubernetesVersion: 'v1.30.1', out: tgz });
  const loaded = await loadRootfs(tgz);
  assert.equal(loaded.manifest.kubernetesVersion, 'v1.30.1');
  assert.equal((await stat(path.join(loaded.dir, 'scripts/init.sh'))).mode & 0o777, 0o755);
  const dir = loaded.dir;

  await appendFile(path.join(dir, 'bin/kubelet'), '# evil\n');
  await assert.rejects(loadRootfs(dir), (e: Error) => e instanceof UserError && /bin\/kubelet: sha256 mismatch/.test(e.message));
  await loaded.close();

  const d2 = path.join(outDir, 'd2');
  await buildRootfs({ binDir: bins, kubernetesVersion: 'v1.30.1', out: d2 });
  await writeFile(path.join(d2, 'bin/extra'), 'x');
  await assert.rejects(loadRootfs(d2), /bin\/extra: not in the manifest/);
  await rm(path.join(d2, 'bin/extra'));
  await chmod(path.join(d2, 'bin/kubectl'), 0o777);
  await assert.rejects(loadRootfs(d2), /bin\/kubectl: mode 777, manifest says 755/);
  await rm(outDir, { recursive: true, force: true });
});

test('build refuses missing binaries, a bad version, an existing output; load names the bad path', async () => {
  const bins = await fakeBinDir(['kubelet']);
  const out = path.join(await tempDir('sealts-out-'), 'x');
  await assert.rejects(buildRootfs({ binDir: bins, kubernetesVersion: 'v1.32.0', out }), /--bin-dir .*: missing kubeadm, kubectl/);
  await assert.rejects(buildRootfs({ binDir: await fakeBinDir(), kubernetesVersion: 'latest', out }), /expected vMAJOR.MINOR.PATCH/);
  await assert.rejects(buildRootfs({ binDir: await fakeBinDir(undefined, 'v1.32.0'), kubernetesVersion: 'v1.32.0', out: bins }), /already exists/);
  await assert.rejects(loadRootfs('/nonexistent/img.tar.gz'), /\/nonexistent\/img.tar.gz: rootfs image not found/);
  const bad = await tempDir('sealts-bad-');
  await writeFile(path.join(bad, 'manifest.json'), '{"files": 3}');
  await assert.rejects(loadRootfs(bad), /manifest.json: not a sealts rootfs manifest/);
});

test('CLI: rootfs build then inspect -o json', async () => {
  const bins = await fakeBinDir(undefined, 'v1.31.2');
  const out = path.join(await tempDir('sealts-out-'), 'img.tar.gz');
  const run = async (argv: string[]) => {
    const program = new Command().exitOverride().option('-o, --output <fmt>', '', 'text');
    register(program);
    const chunks: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(argv, { from: 'user' });
    } finally {
      process.stdout.write = orig;
    }
    return chunks.join('');
  };
  const built = await run(['rootfs', 'build', '--bin-dir', bins, '--kubernetes-version', 'v1.31.2', '--out', out]);
  assert.match(built, /built .*img.tar.gz\nkubernetes: v1.31.2/);
  const inspected = JSON.parse(await run(['--output', 'json', 'rootfs', 'inspect', out]));
  assert.equal(inspected.kubernetesVersion, 'v1.31.2');
  assert.deepEqual(inspected.binaries, ['crictl', 'kubeadm', 'kubectl', 'kubelet']);
  assert.equal(process.exitCode ?? 0, 0);
  const text = await readFile(out);
  assert.ok(text.length > 0);
});
