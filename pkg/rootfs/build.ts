// `sealts rootfs build`: the skeleton (scripts, units, templates) + the user's binaries and image
// tars -> one image directory or .tar.gz with a manifest.
import { cp, mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { packageRoot } from '../package/root.js';
import { parseKubeVersion } from '../runtime/kubeadm/version.js';
import { isTarGz, packTarGz } from './archive.js';
import { stageRealContent } from './real-content.js';
import { computeManifest, MANIFEST_FILE, type Manifest } from './manifest.js';

/** The rootfs/ skeleton shipped with sealts (at the package root, for the sources and the build alike). */
export const DEFAULT_SKELETON = path.join(packageRoot(), 'rootfs');

/** Binaries a kubeadm rootfs cannot work without. */
export const REQUIRED_BINARIES = ['kubeadm', 'kubelet', 'kubectl'];

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
}

export function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
}

async function mustBeDir(p: string, flag: string): Promise<void> {
  const st = await stat(p).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError(`${flag} ${p}: not a directory`);
}

export async function buildRootfs(o: BuildOptions): Promise<Manifest> {
  const version = parseKubeVersion(o.kubernetesVersion).text;
  if (!o.binDir === !o.kubeBins) throw new UserError('rootfs build: give exactly one of --kube-bins (a real rootfs) and --bin-dir');
  if (o.binDir) {
    await mustBeDir(o.binDir, '--bin-dir');
    const bins = await readdir(o.binDir);
    const missing = REQUIRED_BINARIES.filter((b) => !bins.includes(b));
    if (missing.length > 0) throw new UserError(`--bin-dir ${o.binDir}: missing ${missing.join(', ')}`);
  }
  if (o.kubeBins) await mustBeDir(o.kubeBins, '--kube-bins');
  if (o.imagesDir) await mustBeDir(o.imagesDir, '--images-dir');
  if (await stat(o.out).catch(() => undefined)) throw new UserError(`-o ${o.out}: already exists`);

  const stage = isTarGz(o.out) ? await mkdtemp(path.join(os.tmpdir(), 'sealts-build-')) : o.out;
  try {
    await mkdir(stage, { recursive: true });
    await cp(o.skeleton ?? DEFAULT_SKELETON, stage, { recursive: true, filter: (src) => !path.basename(src).startsWith('.keep') });
    if (o.binDir) await cp(o.binDir, path.join(stage, 'bin'), { recursive: true });
    if (o.kubeBins) await stageRealContent(stage, o.kubeBins, version, o.arch ?? hostArch());
    if (o.imagesDir) await cp(o.imagesDir, path.join(stage, 'images'), { recursive: true });
    const manifest = await computeManifest(stage, version, o.arch ?? hostArch());
    await writeFile(path.join(stage, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o644 });
    if (isTarGz(o.out)) await packTarGz(stage, o.out);
    return manifest;
  } catch (e) {
    await rm(o.out, { recursive: true, force: true });
    throw e;
  } finally {
    if (stage !== o.out) await rm(stage, { recursive: true, force: true });
  }
}
