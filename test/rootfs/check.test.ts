// `rootfs build` checks what it packs: every file in bin/ an executable of the rootfs' arch (ELF
// e_machine, or a #! script for --bin-dir), each Kubernetes binary reporting the rootfs' version
// (run when it can run here, its ELF header only when it is another arch), containerd only with its
// companions; and refuses otherwise, in one line naming the file. Against the real binaries of the
// kube-bins cache too, when it is built (`make kube-bins`).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { buildRootfs, checkExecutables, CNI_PLUGINS, executableKind, HOST_BINARIES, hostArch, IMAGE_REFS, KUBE_VERSION_ARGS, missingRealPiece, reportedVersion, type Manifest } from '../../pkg/rootfs/index.js';
import { DEFAULT_KUBERNETES_VERSION, imagesOf } from '../../pkg/versions/index.js';
import { standinBinDir } from '../standins/index.js';
import { fakeBinDir, tempDir } from './helpers.js';

const OTHER_ARCH = hostArch() === 'arm64' ? 'amd64' : 'arm64';
const MACHINE: Record<string, number> = { amd64: 62, arm64: 183 };

/** A file with only an ELF header (64-bit, little-endian) for `arch`: enough for the check, never runnable. */
async function elfStub(file: string, arch: string, bigEndian = false): Promise<void> {
  const h = Buffer.alloc(64);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = 2;
  h[5] = bigEndian ? 2 : 1;
  h[6] = 1;
  if (bigEndian) h.writeUInt16BE(MACHINE[arch] ?? 22, 18);
  else h.writeUInt16LE(MACHINE[arch]!, 18);
  await writeFile(file, h, { mode: 0o755 });
}

/** Build from `bins` and return the UserError message (fails the test if the build succeeds). */
async function refusal(bins: string, version = 'v1.32.8', arch?: string): Promise<string> {
  const out = path.join(await tempDir('sealts-out-'), 'img');
  const err = await buildRootfs({ binDir: bins, kubernetesVersion: version, arch, out }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  assert.equal(err.message.split('\n').length, 1, 'one line');
  assert.equal(existsSync(out), false, 'nothing left behind');
  return err.message;
}

test('executableKind reads the ELF e_machine (either byte order), a #! line, or neither', async () => {
  const dir = await tempDir('sealts-elf-');
  await elfStub(path.join(dir, 'a'), 'amd64');
  await elfStub(path.join(dir, 'b'), 'arm64');
  await elfStub(path.join(dir, 'c'), 's390x', true);
  await writeFile(path.join(dir, 'd'), '#!/usr/bin/python3\nprint(1)\n');
  await writeFile(path.join(dir, 'e'), 'just text');
  assert.deepEqual(await executableKind(path.join(dir, 'a')), { kind: 'elf', arch: 'amd64', machine: 62 });
  assert.deepEqual(await executableKind(path.join(dir, 'b')), { kind: 'elf', arch: 'arm64', machine: 183 });
  assert.deepEqual(await executableKind(path.join(dir, 'c')), { kind: 'elf', arch: 's390x', machine: 22 });
  assert.deepEqual(await executableKind(path.join(dir, 'd')), { kind: 'script', interpreter: '/usr/bin/python3' });
  assert.deepEqual(await executableKind(path.join(dir, 'e')), { kind: 'other' });
  // This machine's own binaries are ELF of its arch.
  assert.deepEqual(await executableKind(process.execPath), { kind: 'elf', arch: hostArch(), machine: MACHINE[hostArch()] });
  await rm(dir, { recursive: true, force: true });
});

test('--bin-dir: a Kubernetes binary reporting another version is refused, naming the file and both versions', async () => {
  const bins = await fakeBinDir(['kubeadm', 'kubectl'], 'v1.32.8');
  const other = await fakeBinDir(['kubelet'], 'v1.31.0');
  await copyFile(path.join(other, 'kubelet'), path.join(bins, 'kubelet'));
  assert.equal(await refusal(bins), `${bins}/kubelet: reports v1.31.0 ("kubelet --version"), the rootfs is v1.32.8 (--kubernetes-version)`);
  // The same binaries built as what they say they are: accepted.
  const out = path.join(await tempDir('sealts-out-'), 'img');
  await assert.rejects(buildRootfs({ binDir: bins, kubernetesVersion: 'v1.31.0', out }), /kubeadm: reports v1\.32\.8 \("kubeadm version -o short"\), the rootfs is v1\.31\.0/);
});

test('--bin-dir: a version query that fails, or prints no version, is refused', async () => {
  const bins = await fakeBinDir(['kubeadm', 'kubelet', 'kubectl']);
  await writeFile(path.join(bins, 'kubeadm'), '#!/bin/sh\necho "unknown flag: -o" >&2\nexit 3\n');
  assert.equal(await refusal(bins), `${bins}/kubeadm: "kubeadm version -o short" failed: unknown flag: -o`);
  const b2 = await fakeBinDir(['kubeadm', 'kubelet', 'kubectl']);
  await writeFile(path.join(b2, 'kubectl'), '#!/bin/sh\necho "kubectl test binary $*"\n');
  assert.equal(await refusal(b2), `${b2}/kubectl: "kubectl version --client" printed no version ("kubectl test binary version --client")`);
  // A real ELF binary of this machine is run the same way: coreutils' true prints no Kubernetes version.
  const b3 = await fakeBinDir(['kubeadm', 'kubectl']);
  await copyFile('/bin/true', path.join(b3, 'kubelet'));
  assert.match(await refusal(b3), new RegExp(`^${b3}/kubelet: "kubelet --version" printed no version`));
});

test('--bin-dir: not executable, not an executable at all, another arch: refused before anything is run', async () => {
  const bins = await fakeBinDir();
  await chmod(path.join(bins, 'crictl'), 0o644);
  assert.equal(await refusal(bins), `${bins}/crictl: not executable (mode 644)`);
  const b2 = await fakeBinDir();
  await writeFile(path.join(b2, 'crictl'), 'PK\x03\x04 a zip, not a binary', { mode: 0o755 });
  assert.equal(await refusal(b2), `${b2}/crictl: not an executable: neither an ELF binary nor a #! script`);
  const b3 = await fakeBinDir();
  await elfStub(path.join(b3, 'kubeadm'), OTHER_ARCH);
  assert.equal(await refusal(b3), `${b3}/kubeadm: an ${OTHER_ARCH} binary (ELF e_machine ${MACHINE[OTHER_ARCH]}), the rootfs is ${hostArch()} (--arch)`);
  // --arch says what the binaries must be: this machine's binaries in a rootfs for the other arch are refused.
  const b4 = await fakeBinDir(['kubeadm', 'kubectl']);
  await copyFile('/bin/true', path.join(b4, 'kubelet'));
  assert.equal(await refusal(b4, 'v1.32.8', OTHER_ARCH), `${b4}/kubelet: an ${hostArch()} binary (ELF e_machine ${MACHINE[hostArch()]}), the rootfs is ${OTHER_ARCH} (--arch)`);
});

test('--bin-dir of another arch: ELF arch checked, versions not asked (they cannot run here), and said so', async () => {
  const bins = await tempDir('sealts-bins-');
  for (const n of ['kubeadm', 'kubelet', 'kubectl']) await elfStub(path.join(bins, n), OTHER_ARCH);
  const notes: string[] = [];
  const out = path.join(await tempDir('sealts-out-'), 'img');
  const m = await buildRootfs({ binDir: bins, kubernetesVersion: 'v1.32.8', arch: OTHER_ARCH, out, onNote: (n) => notes.push(n) });
  assert.equal(m.arch, OTHER_ARCH);
  assert.deepEqual(notes, [`kubeadm, kubectl, kubelet: ${OTHER_ARCH} binaries cannot run on this ${hostArch()} machine, so their versions were not asked; their ELF headers say ${OTHER_ARCH}`]);
  await rm(out, { recursive: true, force: true });
});

test('--bin-dir: containerd comes with its runc shim, runc and ctr, or is refused', async () => {
  const bins = await fakeBinDir(['kubeadm', 'kubelet', 'kubectl', 'containerd', 'ctr']);
  assert.equal(
    await refusal(bins),
    `--bin-dir ${bins}: containerd without containerd-shim-runc-v2, runc (containerd runs containers through its runc shim and runc; init.sh imports images with ctr)`,
  );
  const full = await fakeBinDir(['kubeadm', 'kubelet', 'kubectl', 'containerd', 'containerd-shim-runc-v2', 'runc', 'ctr']);
  const out = path.join(await tempDir('sealts-out-'), 'img');
  const m = await buildRootfs({ binDir: full, kubernetesVersion: 'v1.32.8', out });
  assert.ok(m.files.some((f) => f.path === 'bin/runc'));
  await rm(out, { recursive: true, force: true });
});

test('the test stand-ins answer the version queries like the real tools: built as their version, refused as another', async () => {
  const bins = await standinBinDir('v1.33.4');
  const out = path.join(await tempDir('sealts-out-'), 'img');
  const m = await buildRootfs({ binDir: bins, kubernetesVersion: 'v1.33.4', out });
  assert.ok(m.files.some((f) => f.path === 'bin/kubeadm'));
  await rm(out, { recursive: true, force: true });
  for (const n of ['kubeadm', 'kubelet', 'kubectl']) assert.equal(await reportedVersion(path.join(bins, n)), 'v1.33.4', n);
  assert.equal(await refusal(bins, 'v1.34.0'), `${bins}/kubeadm: reports v1.33.4 ("kubeadm version -o short"), the rootfs is v1.34.0 (--kubernetes-version)`);
});

test('a real rootfs (--kube-bins) takes ELF binaries only: a #! script is refused', async () => {
  const bins = await fakeBinDir(['kubeadm']);
  await assert.rejects(
    checkExecutables([path.join(bins, 'kubeadm')], { version: 'v1.32.8', arch: hostArch(), scripts: false }),
    (e: Error) => e instanceof UserError && e.message === `${bins}/kubeadm: a #! script (/bin/sh), not an ELF binary: a real rootfs carries the real binaries`,
  );
});

/** Every binary a kube-bins cache holds (scripts/kube-bins.sh), in bin/ under `cache`, as ELF stubs of `arch`. */
const CACHE_BINARIES = [...HOST_BINARIES, 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'pause', 'coredns'];
async function stubCache(arch: string): Promise<string> {
  const cache = await tempDir('sealts-kube-bins-');
  await mkdir(path.join(cache, 'bin'));
  for (const n of CACHE_BINARIES) await elfStub(path.join(cache, 'bin', n), arch);
  return cache;
}

/** Build a real rootfs from `cache` and return the UserError message (nothing may be left behind). */
async function realRefusal(cache: string, version: string, arch?: string): Promise<string> {
  const out = path.join(await tempDir('sealts-out-'), 'img');
  const err = await buildRootfs({ kubeBins: cache, kubernetesVersion: version, arch, out }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  assert.equal(err.message.split('\n').length, 1, 'one line');
  assert.equal(existsSync(out), false, 'nothing left behind');
  return err.message;
}

const HAS_RUNC = existsSync('/usr/sbin/runc') && CNI_PLUGINS.every((p) => existsSync(path.join('/usr/lib/cni', p)));

test('--kube-bins: every binary is checked before anything is staged (a script, a binary that does not run, runc of this machine in another arch\'s rootfs)', { skip: HAS_RUNC ? false : 'Debian\'s runc and containernetworking-plugins are not installed (make debian-deps)' }, async () => {
  // Binaries of the other arch are not run: the first refusal is this machine's runc, which a host of that arch cannot run.
  const other = await stubCache(OTHER_ARCH);
  assert.equal(await realRefusal(other, DEFAULT_KUBERNETES_VERSION, OTHER_ARCH), `/usr/sbin/runc: an ${hostArch()} binary (ELF e_machine ${MACHINE[hostArch()]}), the rootfs is ${OTHER_ARCH} (--arch)`);
  // A stand-in script among them is refused by name: a real rootfs carries the real binaries.
  await rm(path.join(other, 'bin', 'kubelet'));
  await copyFile(path.join(await fakeBinDir(['kubelet'], DEFAULT_KUBERNETES_VERSION), 'kubelet'), path.join(other, 'bin', 'kubelet'));
  assert.equal(await realRefusal(other, DEFAULT_KUBERNETES_VERSION, OTHER_ARCH), `${other}/bin/kubelet: a #! script (/bin/sh), not an ELF binary: a real rootfs carries the real binaries`);
  // This machine's arch: the Kubernetes binaries are asked their version, and a header alone does not answer.
  const own = await stubCache(hostArch());
  assert.match(await realRefusal(own, DEFAULT_KUBERNETES_VERSION), new RegExp(`^${own}/bin/kubeadm: "kubeadm version -o short" failed: `));
  await rm(other, { recursive: true, force: true });
  await rm(own, { recursive: true, force: true });
});

test('missingRealPiece names the first piece a real rootfs lacks: host binaries, runc, CNI plugins, images/refs, each image', () => {
  const version = DEFAULT_KUBERNETES_VERSION;
  const all = [
    ...[...HOST_BINARIES, 'runc'].map((b) => `bin/${b}`),
    ...CNI_PLUGINS.map((p) => `cni/${p}`),
    IMAGE_REFS,
    ...imagesOf(version).map((img) => `images/${img.role}/${img.component}.tar`),
    'scripts/init.sh',
  ];
  const manifest = (paths: string[]): Manifest => ({ kubernetesVersion: version, arch: hostArch(), files: paths.map((p) => ({ path: p, sha256: '0'.repeat(64), mode: '755', size: 1 })) });
  assert.equal(missingRealPiece(manifest(all)), undefined);
  for (const gone of ['bin/runc', 'bin/ctr', `cni/${CNI_PLUGINS[0]}`, IMAGE_REFS, 'images/master/etcd.tar', 'images/all/pause.tar']) {
    assert.equal(missingRealPiece(manifest(all.filter((p) => p !== gone))), gone);
  }
});

// The real binaries scripts/kube-bins.sh builds: asked their versions as the check does. A component
// counts once its stamp is written (the cache may be being built meanwhile: `make kube-bins`).
const CACHE = path.join(process.env.SEALTS_KUBE_CACHE ?? '/var/cache/sealts-kube', DEFAULT_KUBERNETES_VERSION);
const stamped = (c: string) => existsSync(path.join(CACHE, 'stamps', c));
const BUILT = stamped('kubernetes');
const COMPLETE = ['kubernetes', 'pause', 'etcd', 'etcdutl', 'coredns', 'containerd'].every(stamped);
const NOT_BUILT = `kube-bins cache ${CACHE} not built (make kube-bins)`;

test(`the real Kubernetes ${DEFAULT_KUBERNETES_VERSION} binaries pass the check, and are refused as another version or arch`, { skip: BUILT ? false : NOT_BUILT }, async () => {
  const bins = path.join(CACHE, 'bin');
  const kube = Object.keys(KUBE_VERSION_ARGS).filter((n) => n !== 'k0s').map((n) => path.join(bins, n));
  const components: Record<string, string[]> = { etcd: ['etcd', 'etcdctl'], etcdutl: ['etcdutl'], containerd: ['containerd', 'containerd-shim-runc-v2', 'ctr'], pause: ['pause'], coredns: ['coredns'] };
  const others = Object.entries(components).filter(([c]) => stamped(c)).flatMap(([, ns]) => ns.map((n) => path.join(bins, n)));
  assert.deepEqual(await checkExecutables([...kube, ...others], { version: DEFAULT_KUBERNETES_VERSION, arch: hostArch(), scripts: false }), []);
  for (const f of kube) assert.equal(await reportedVersion(f), DEFAULT_KUBERNETES_VERSION, f);
  await assert.rejects(
    checkExecutables(kube, { version: 'v1.30.0', arch: hostArch(), scripts: false }),
    (e: Error) => e.message === `${bins}/kubeadm: reports ${DEFAULT_KUBERNETES_VERSION} ("kubeadm version -o short"), the rootfs is v1.30.0 (--kubernetes-version)`,
  );
  await assert.rejects(
    checkExecutables(kube, { version: DEFAULT_KUBERNETES_VERSION, arch: OTHER_ARCH, scripts: false }),
    (e: Error) => e.message === `${bins}/kubeadm: an ${hostArch()} binary (ELF e_machine ${MACHINE[hostArch()]}), the rootfs is ${OTHER_ARCH} (--arch)`,
  );
  // A real kubelet in a --bin-dir beside stand-ins that claim another version: the kubelet is caught.
  const mixed = await fakeBinDir(['kubeadm', 'kubectl'], 'v1.30.0');
  await copyFile(path.join(bins, 'kubelet'), path.join(mixed, 'kubelet'));
  await chmod(path.join(mixed, 'kubelet'), 0o755);
  assert.equal(await refusal(mixed, 'v1.30.0'), `${mixed}/kubelet: reports ${DEFAULT_KUBERNETES_VERSION} ("kubelet --version"), the rootfs is v1.30.0 (--kubernetes-version)`);
  assert.ok((await readFile(path.join(mixed, 'kubelet'))).length > 1 << 20, 'the real kubelet was copied');
});

test(`--kube-bins of the real ${DEFAULT_KUBERNETES_VERSION} cache: refused as another release; built as its own, with every piece init.sh needs`, { skip: COMPLETE ? false : NOT_BUILT }, async () => {
  // Another release of the table: the real kubeadm says what it is.
  const { releases } = JSON.parse(await readFile(new URL('../../pkg/versions/kubernetes.json', import.meta.url), 'utf8')) as { releases: Record<string, unknown> };
  const another = Object.keys(releases).find((v) => v !== DEFAULT_KUBERNETES_VERSION);
  if (another) {
    assert.equal(await realRefusal(CACHE, another), `${CACHE}/bin/kubeadm: reports ${DEFAULT_KUBERNETES_VERSION} ("kubeadm version -o short"), the rootfs is ${another} (--kubernetes-version)`);
  }
  // A stand-in slipped into a copy of the cache (links to the real files) is refused by name.
  const copy = await tempDir('sealts-kube-bins-');
  await mkdir(path.join(copy, 'bin'));
  for (const n of await readdir(path.join(CACHE, 'bin'))) await symlink(path.join(CACHE, 'bin', n), path.join(copy, 'bin', n));
  await rm(path.join(copy, 'bin', 'kubectl'));
  await copyFile(path.join(await fakeBinDir(['kubectl'], DEFAULT_KUBERNETES_VERSION), 'kubectl'), path.join(copy, 'bin', 'kubectl'));
  assert.equal(await realRefusal(copy, DEFAULT_KUBERNETES_VERSION), `${copy}/bin/kubectl: a #! script (/bin/sh), not an ELF binary: a real rootfs carries the real binaries`);
  await rm(copy, { recursive: true, force: true });
  // The cache as it is: built, nothing lacking, nothing left unchecked.
  const out = path.join(await tempDir('sealts-out-'), 'img');
  const notes: string[] = [];
  const m = await buildRootfs({ kubeBins: CACHE, kubernetesVersion: DEFAULT_KUBERNETES_VERSION, out, onNote: (n) => notes.push(n) });
  assert.equal(missingRealPiece(m), undefined);
  assert.deepEqual(notes, []);
  assert.equal(m.arch, hostArch());
  await rm(path.dirname(out), { recursive: true, force: true });
});
