// The rootfs skeleton (the repo's rootfs/: scripts and units, no binaries, no manifest) is what
// `rootfs build` starts from, not an image: said plainly wherever one is given as an image.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../package/root.js';
import { DEFAULT_KUBERNETES_VERSION } from '../versions/index.js';

/** manifest.ts' MANIFEST_FILE (not imported from there: manifest.ts imports this file). */
const MANIFEST_FILE = 'manifest.json';

/** The rootfs/ skeleton shipped with sealts (at the package root, for the sources and the build alike). */
export const DEFAULT_SKELETON = path.join(packageRoot(), 'rootfs');

/** What every skeleton holds: init.sh and clean.sh, and the units and settings init.sh installs. */
export const SKELETON_FILES = [
  'scripts/init.sh',
  'scripts/clean.sh',
  'etc/kubelet.service',
  'etc/10-kubeadm.conf',
  'etc/containerd.service',
  'etc/99-sealts-kubernetes.conf',
  'etc/sealts-kubernetes-modules.conf',
];

export interface Skeleton {
  dir: string;
  /** It is sealts' own rootfs/ (DEFAULT_SKELETON). */
  builtIn: boolean;
  /** Files under scripts/ and etc/. */
  scripts: string[];
  etc: string[];
  /** SKELETON_FILES it lacks (a complete skeleton lacks none). */
  missing: string[];
}

/** How to make an image out of the skeleton (the binaries: scripts/kube-bins.sh VERSION). */
export const BUILD_HINT = `sealts rootfs build --kube-bins /var/cache/sealts-kube/${DEFAULT_KUBERNETES_VERSION} -o rootfs-${DEFAULT_KUBERNETES_VERSION}`;

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** The skeleton `dir` is (a directory with scripts/init.sh and no manifest.json), or undefined. */
export async function skeletonAt(dir: string): Promise<Skeleton | undefined> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) return undefined;
  if (await isFile(path.join(dir, MANIFEST_FILE))) return undefined;
  if (!(await isFile(path.join(dir, 'scripts', 'init.sh')))) return undefined;
  const real = async (p: string) => realpath(p).catch(() => path.resolve(p));
  const missing: string[] = [];
  for (const f of SKELETON_FILES) if (!(await isFile(path.join(dir, f)))) missing.push(f);
  return {
    dir,
    builtIn: (await real(dir)) === (await real(DEFAULT_SKELETON)),
    scripts: await filesUnder(path.join(dir, 'scripts')),
    etc: await filesUnder(path.join(dir, 'etc')),
    missing,
  };
}

/** One line: what the skeleton is and how to get an image from it. */
export function skeletonMessage(s: Skeleton): string {
  const what = s.builtIn ? 'the built-in rootfs skeleton' : 'a rootfs skeleton';
  const incomplete = s.missing.length > 0 ? ` and an incomplete one (missing ${s.missing.join(', ')})` : '';
  return `${s.dir}: ${what} (scripts and units, no Kubernetes binaries, no ${MANIFEST_FILE}), not a rootfs image${incomplete}; build an image: ${BUILD_HINT} (the binaries: scripts/kube-bins.sh ${DEFAULT_KUBERNETES_VERSION})`;
}

/** Why a directory without manifest.json is no image: a skeleton, or nothing sealts made. */
export async function noManifestMessage(dir: string): Promise<string> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) return `${dir}: rootfs image not found`;
  const s = await skeletonAt(dir);
  if (s) return skeletonMessage(s);
  return `${dir}: not a rootfs image: no ${MANIFEST_FILE} (images are made by sealts rootfs build)`;
}
