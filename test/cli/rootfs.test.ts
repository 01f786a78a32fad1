// `sealts rootfs inspect|build` as a user runs them: the repo's skeleton is described (exit 0), a
// missing path or a refused build is exit 2 with one line naming the path or file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hostArch } from '../../pkg/rootfs/index.js';
import { fakeBinDir } from '../rootfs/helpers.js';
import { lines, REPO, sealts, type CliResult } from './helpers.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'sealts-cli-rootfs-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Exit 2 with exactly one line on stderr, equal to `line`, and nothing on stdout. */
function assertOneLine(r: CliResult, line: string): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.deepEqual(lines(r.stderr), [line]);
  assert.equal(r.stdout, '');
}

describe('rootfs inspect', () => {
  it('of the repo\'s rootfs/: says it is the built-in skeleton and how to build an image, exit 0', async () => {
    const r = await sealts(['rootfs', 'inspect', 'rootfs']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    assert.match(out[0]!, /^rootfs: the built-in rootfs skeleton \(scripts and units, no Kubernetes binaries, no manifest\.json\), not a rootfs image; build an image: sealts rootfs build --kube-bins \/var\/cache\/sealts-kube\/v1\.36\.3 -o rootfs-v1\.36\.3 \(the binaries: scripts\/kube-bins\.sh v1\.36\.3\)$/);
    assert.equal(out[1], 'scripts:    clean.sh, init.sh');
    assert.match(out[2]!, /^etc: +.*kubelet\.service/);
    assert.doesNotMatch(r.stdout, /ENOENT/);
  });

  it('-o json: the skeleton as a document', async () => {
    const r = await sealts(['-o', 'json', 'rootfs', 'inspect', join(REPO, 'rootfs')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { skeleton: boolean; builtIn: boolean; scripts: string[]; build: string };
    assert.equal(doc.skeleton, true);
    assert.equal(doc.builtIn, true);
    assert.deepEqual(doc.scripts, ['clean.sh', 'init.sh']);
    assert.match(doc.build, /^sealts rootfs build --kube-bins /);
  });

  it('of a path that does not exist: exit 2, one line naming it', async () => {
    assertOneLine(await sealts(['rootfs', 'inspect', '/nonexistent']), 'error: /nonexistent: rootfs image not found');
  });

  it('of a directory that is no image: exit 2, one line', async () => {
    assertOneLine(await sealts(['rootfs', 'inspect', work]), `error: ${work}: not a rootfs image: no manifest.json (images are made by sealts rootfs build)`);
  });

  it('of an incomplete skeleton: exit 2, one line saying what it lacks', async () => {
    const copy = join(work, 'skeleton');
    await cp(join(REPO, 'rootfs'), copy, { recursive: true });
    await rm(join(copy, 'scripts', 'clean.sh'));
    const r = await sealts(['rootfs', 'inspect', copy]);
    assert.equal(r.code, 2);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^error: ${copy}: a rootfs skeleton .*not a rootfs image and an incomplete one \\(missing scripts/clean\\.sh\\)`));
  });
});

describe('rootfs build checks what it packs', () => {
  it('a kubelet of another version: exit 2, one line naming the file, no output left', async () => {
    const bins = await fakeBinDir(['kubeadm', 'kubectl'], 'v1.36.3');
    await copyFile(join(await fakeBinDir(['kubelet'], 'v1.35.1'), 'kubelet'), join(bins, 'kubelet'));
    const out = join(work, 'img');
    assertOneLine(
      await sealts(['rootfs', 'build', '--bin-dir', bins, '--kubernetes-version', 'v1.36.3', '-o', out]),
      `error: ${bins}/kubelet: reports v1.35.1 ("kubelet --version"), the rootfs is v1.36.3 (--kubernetes-version)`,
    );
    assert.equal(existsSync(out), false);
  });

  it('binaries of this machine in a rootfs for another arch: exit 2', async () => {
    const other = hostArch() === 'arm64' ? 'amd64' : 'arm64';
    const bins = await fakeBinDir(['kubeadm', 'kubectl'], 'v1.36.3');
    await copyFile('/bin/true', join(bins, 'kubelet'));
    const r = await sealts(['rootfs', 'build', '--bin-dir', bins, '--arch', other, '-o', join(work, 'img2')]);
    assertOneLine(r, `error: ${bins}/kubelet: an ${hostArch()} binary (ELF e_machine ${hostArch() === 'arm64' ? 183 : 62}), the rootfs is ${other} (--arch)`);
  });

  it('stand-ins that answer like the real tools: built, exit 0', async () => {
    const bins = await fakeBinDir(['kubeadm', 'kubelet', 'kubectl'], 'v1.36.3');
    const r = await sealts(['rootfs', 'build', '--bin-dir', bins, '--kubernetes-version', 'v1.36.3', '-o', join(work, 'img3')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^built .*img3\nkubernetes: v1\.36\.3\n/);
  });
});
