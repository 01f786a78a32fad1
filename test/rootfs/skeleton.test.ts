// The repo's rootfs/ is the skeleton `rootfs build` starts from: opened as an image it is said to be
// the skeleton (not ENOENT on manifest.json); a copy is "a rootfs skeleton", an incomplete one says
// what it lacks; a directory that is neither is "not a rootfs image".
import assert from 'node:assert/strict';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { BUILD_HINT, DEFAULT_SKELETON, loadRootfs, readManifest, skeletonAt, skeletonMessage, SKELETON_FILES } from '../../pkg/rootfs/index.js';
import { DEFAULT_KUBERNETES_VERSION } from '../../pkg/versions/index.js';
import { REPO } from '../cli/helpers.js';
import { tempDir } from './helpers.js';

test('the built-in skeleton is recognised as such, complete', async () => {
  assert.equal(DEFAULT_SKELETON, path.join(REPO, 'rootfs'));
  const s = await skeletonAt(path.join(REPO, 'rootfs'));
  assert.ok(s);
  assert.equal(s.builtIn, true);
  assert.deepEqual(s.missing, []);
  assert.deepEqual(s.scripts, ['clean.sh', 'init.sh']);
  for (const f of SKELETON_FILES.filter((f) => f.startsWith('etc/'))) assert.ok(s.etc.includes(f.slice(4)), f);
  assert.equal(
    skeletonMessage(s),
    `${path.join(REPO, 'rootfs')}: the built-in rootfs skeleton (scripts and units, no Kubernetes binaries, no manifest.json), not a rootfs image; build an image: ${BUILD_HINT} (the binaries: scripts/kube-bins.sh ${DEFAULT_KUBERNETES_VERSION})`,
  );
  assert.match(BUILD_HINT, /^sealts rootfs build --kube-bins \/var\/cache\/sealts-kube\/v\d+\.\d+\.\d+ -o rootfs-v\d+\.\d+\.\d+$/);
});

test('loading the skeleton as an image says it is the skeleton, in one line, exit 2', async () => {
  for (const open of [loadRootfs, readManifest]) {
    const err = await open('rootfs').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UserError, `${open.name}: expected a UserError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /^rootfs: the built-in rootfs skeleton \(scripts and units, no Kubernetes binaries, no manifest\.json\), not a rootfs image; build an image: sealts rootfs build --kube-bins /);
    assert.doesNotMatch(err.message, /ENOENT|\n/);
  }
});

test('a copy of the skeleton, an incomplete one, and a directory that is neither', async () => {
  const dir = await tempDir('sealts-skel-');
  const copy = path.join(dir, 'copy');
  await cp(DEFAULT_SKELETON, copy, { recursive: true });
  const s = await skeletonAt(copy);
  assert.equal(s?.builtIn, false);
  await assert.rejects(loadRootfs(copy), (e: Error) => e.message.startsWith(`${copy}: a rootfs skeleton (scripts and units`));
  await rm(path.join(copy, 'scripts', 'clean.sh'));
  await rm(path.join(copy, 'etc', 'kubelet.service'));
  assert.deepEqual((await skeletonAt(copy))?.missing, ['scripts/clean.sh', 'etc/kubelet.service']);
  await assert.rejects(loadRootfs(copy), /not a rootfs image and an incomplete one \(missing scripts\/clean\.sh, etc\/kubelet\.service\); build an image/);
  const other = path.join(dir, 'other');
  await mkdir(other);
  assert.equal(await skeletonAt(other), undefined);
  await assert.rejects(loadRootfs(other), (e: Error) => e instanceof UserError && e.message === `${other}: not a rootfs image: no manifest.json (images are made by sealts rootfs build)`);
  await rm(dir, { recursive: true, force: true });
});
