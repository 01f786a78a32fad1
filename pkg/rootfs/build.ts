// `sealts rootfs build`: the skeleton (scripts, units, templates) + the user's binaries and image
// tars -> one image directory or .tar.gz with a manifest.
import { cp, mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { parseKubeVersion } from '../runtime/kubeadm/version.js';
import { isTarGz, packTarGz } from './archive.js';
import { checkExecutables, hostArch } from './check.js';
import { missingRealPiece, stageRealContent } from './real-content.js';
import { computeManifest, MANIFEST_FILE, type Manifest } from './manifest.js';
import { DEFAULT_SKELETON } from './skeleton.js';
import { packPayload } from './payload.js';

export { DEFAULT_SKELETON, hostArch };

/** Binaries a kubeadm rootfs cannot work without. */
export const REQUIRED_BINARIES = ['kubeadm', 'kubelet', 'kubectl'];
/** A k0s rootfs: k0s is one binary with the Kubernetes components inside. */
export const K0S_REQUIRED_BINARIES = ['k0s'];

/** What containerd needs beside it: its runc shim and runc to run containers, ctr for init.sh's image imports. */
export const CONTAINERD_COMPANIONS = ['containerd-shim-runc-v2', 'runc', 'ctr'];

/** A rootfs version: Kubernetes vX.Y.Z, or a k0s release vX.Y.Z+k0s.N (a k0s rootfs). */
function rootfsVersion(v: string): { text: string; k0s: boolean } {
  const k0s = /^v?(\d+\.\d+\.\d+\+k0s\.\d+)$/.exec(v.trim());
  return k0s ? { text: `v${k0s[1]}`, k0s: true } : { text: parseKubeVersion(v).text, k0s: false };
}

export interface BuildOptions {
  /** A directory of binaries to install as they are (e.g. the test stand-ins). */
  binDir?: string;
  /** A kube-bins cache directory (scripts/kube-bins.sh): a real rootfs with images, containerd, CNI. */
  kubeBins?: string;
  imagesDir?: string;
  kubernetesVersion: string;
  arch?: string;
  skeleton?: string;
  /** Output: a directory (must not exist) or a path ending in .tar.gz. */
  out: string;
  /** Told what could not be checked on this machine (e.g. binaries of another arch are not run). */
  onNote?: (note: string) => void;
}

async function mustBeDir(p: string, flag: string): Promise<void> {
  const st = await stat(p).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError(`${flag} ${p}: not a directory`);
}

/**
 * --bin-dir: kubeadm, kubelet and kubectl there, containerd only with what it needs beside it, and
 * every file an executable for `arch` (ELF of that machine, or a #! script such as the test
 * stand-ins), the Kubernetes ones reporting `version` when they can run here.
 */
async function checkBinDir(binDir: string, version: string, arch: string, k0s: boolean): Promise<string[]> {
  await mustBeDir(binDir, '--bin-dir');
  const entries = await readdir(binDir, { withFileTypes: true });
  const names = entries.map((e) => e.name);
  const missing = (k0s ? K0S_REQUIRED_BINARIES : REQUIRED_BINARIES).filter((b) => !names.includes(b));
  if (missing.length > 0) throw new UserError(`--bin-dir ${binDir}: missing ${missing.join(', ')}`);
  const lacking = CONTAINERD_COMPANIONS.filter((b) => !names.includes(b));
  if (names.includes('containerd') && lacking.length > 0) {
    throw new UserError(`--bin-dir ${binDir}: containerd without ${lacking.join(', ')} (containerd runs containers through its runc shim and runc; init.sh imports images with ctr)`);
  }
  // What init.sh installs into /usr/bin: the regular files (and links to them), dot files aside.
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const f = path.join(binDir, e.name);
    if ((await stat(f).catch(() => undefined))?.isFile()) files.push(f);
  }
  return checkExecutables(files.sort(), { version, arch, scripts: true });
}

export async function buildRootfs(o: BuildOptions): Promise<Manifest> {
  const { text: version, k0s } = rootfsVersion(o.kubernetesVersion);
  const arch = o.arch ?? hostArch();
  if (!o.binDir === !o.kubeBins) throw new UserError('rootfs build: give exactly one of --kube-bins (a real rootfs) and --bin-dir');
  if (k0s && o.kubeBins) throw new UserError(`rootfs build: --kube-bins builds a kubeadm rootfs; a k0s rootfs (${version}) takes --bin-dir with the k0s binary`);
  if (o.kubeBins) await mustBeDir(o.kubeBins, '--kube-bins');
  if (o.imagesDir) await mustBeDir(o.imagesDir, '--images-dir');
  if (await stat(o.out).catch(() => undefined)) throw new UserError(`-o ${o.out}: already exists`);
  const notes = o.binDir ? await checkBinDir(o.binDir, version, arch, k0s) : [];

  const stage = isTarGz(o.out) ? await mkdtemp(path.join(os.tmpdir(), 'sealts-build-')) : o.out;
  try {
    await mkdir(stage, { recursive: true });
    await cp(o.skeleton ?? DEFAULT_SKELETON, stage, { recursive: true, filter: (src) => !path.basename(src).startsWith('.keep') });
    if (o.binDir) await cp(o.binDir, path.join(stage, 'bin'), { recursive: true });
    if (o.kubeBins) notes.push(...(await stageRealContent(stage, o.kubeBins, version, arch)));
    if (o.imagesDir) await cp(o.imagesDir, path.join(stage, 'images'), { recursive: true });
    const manifest = await computeManifest(stage, version, arch);
    const lacking = o.kubeBins ? missingRealPiece(manifest) : undefined;
    if (lacking) throw new UserError(`--kube-bins ${o.kubeBins}: the rootfs would lack ${lacking}, which init.sh needs`);
    notes.push(...(await packPayload(stage, manifest)));
    await writeFile(path.join(stage, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o644 });
    if (isTarGz(o.out)) await packTarGz(stage, o.out);
    for (const n of notes) o.onNote?.(n);
    return manifest;
  } catch (e) {
    await rm(o.out, { recursive: true, force: true });
    throw e;
  } finally {
    if (stage !== o.out) await rm(stage, { recursive: true, force: true });
  }
}
