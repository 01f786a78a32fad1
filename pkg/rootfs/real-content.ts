// What a real rootfs carries beyond the skeleton, staged from a kube-bins cache directory
// (scripts/kube-bins.sh): the host binaries (kubeadm, kubelet, kubectl, etcdctl, etcdutl, containerd and its
// shim and ctr, runc), the CNI plugins, and every image as an OCI archive under images/<role>/.
// runc and the CNI plugins are Debian's (packages runc, containernetworking-plugins) from this machine.
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import { sealtsHome } from '../state/store.js';
import { imagesOf, mustRelease } from '../versions/index.js';
import { checkExecutables, reportedVersion } from './check.js';
import { imageArchivePath, kubeImageSpecs } from './kube-images.js';
import { writeOciArchive } from './oci.js';
import type { Manifest } from './manifest.js';

/** Installed on every host by init.sh (bin/ -> /usr/bin). */
export const HOST_BINARIES = ['kubeadm', 'kubelet', 'kubectl', 'etcdctl', 'etcdutl', 'containerd', 'containerd-shim-runc-v2', 'ctr'];
/** Built into images only. */
const IMAGE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'pause', 'coredns'];
const RUNC = '/usr/sbin/runc';
const CNI_SOURCE = '/usr/lib/cni';
/** The CNI plugins sealts' pod network (bridge + host-local, per node) and kube-proxy's portmap use. */
export const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'];

async function mustExist(file: string, hint: string): Promise<void> {
  if (!(await stat(file).catch(() => undefined))?.isFile()) throw new UserError(`${file}: missing (${hint})`);
}

/**
 * Refuses binaries whose reported version is not `version` (kubeadm, kubelet, kubectl: what a host
 * runs itself). With `sums` (the sha256 of each binary, from a manifest the directory was just
 * verified against), a version once reported by the same bytes is not asked again: running the
 * real binaries costs seconds on every apply, and the answer is a function of the bytes.
 */
export async function assertBinaryVersions(binDir: string, version: string, what: string, sums?: ReadonlyMap<string, string>): Promise<void> {
  // A k0s rootfs (version vX.Y.Z+k0s.N) has one binary holding every component.
  const names = version.includes('+k0s.') ? ['k0s'] : ['kubeadm', 'kubelet', 'kubectl'];
  const known = await readVersionCache();
  let learned = false;
  const got = await Promise.all(names.map(async (n) => {
    const sum = sums?.get(`bin/${n}`);
    const cached = sum === undefined ? undefined : known[`${n}\0${sum}`];
    if (cached !== undefined) return cached;
    const v = await reportedVersion(path.join(binDir, n), n);
    if (sum !== undefined) {
      known[`${n}\0${sum}`] = v;
      learned = true;
    }
    return v;
  }));
  if (learned) await writeVersionCache(known);
  const wrong = names.map((n, i) => [n, got[i]!] as const).filter(([, v]) => v !== version);
  if (wrong.length > 0) throw new UserError(`${what}: ${wrong.map(([n, v]) => `${n} is ${v}`).join(', ')}, not ${version}`);
}

/** "<name>\0<sha256>" -> the version those bytes reported; in the sealts home, best effort. */
function versionCachePath(): string {
  return path.join(sealtsHome(), '.cache', 'reported-versions.json');
}

async function readVersionCache(): Promise<Record<string, string>> {
  try {
    const c = JSON.parse(await readFile(versionCachePath(), 'utf8')) as unknown;
    return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, string>) : {};
  } catch {
    return {};
  }
}

async function writeVersionCache(c: Record<string, string>): Promise<void> {
  const entries = Object.entries(c).slice(-200);
  try {
    await mkdir(path.dirname(versionCachePath()), { recursive: true, mode: 0o700 });
    await writeFileAtomic(versionCachePath(), `${JSON.stringify(Object.fromEntries(entries))}\n`, { mode: 0o600 });
  } catch {
    // not writable: the versions are asked again next time
  }
}

/**
 * Stages bin/, cni/ and images/ of a real rootfs for `version` into `stage`, after checking every
 * binary that goes in (ELF of `arch`; the Kubernetes ones report `version`). Returns notes on what
 * could not be checked here (binaries of another arch than this machine's are not run).
 */
export async function stageRealContent(stage: string, cacheDir: string, version: string, arch: string): Promise<string[]> {
  mustRelease(version);
  const bins = path.join(cacheDir, 'bin');
  const hint = `build it with: scripts/kube-bins.sh ${version}`;
  for (const b of [...HOST_BINARIES, ...IMAGE_BINARIES]) await mustExist(path.join(bins, b), hint);
  await mustExist(RUNC, 'install Debian\'s runc');
  for (const p of CNI_PLUGINS) await mustExist(path.join(CNI_SOURCE, p), 'install Debian\'s containernetworking-plugins');
  const notes = await checkExecutables(
    [...[...HOST_BINARIES, ...IMAGE_BINARIES].map((b) => path.join(bins, b)), RUNC, ...CNI_PLUGINS.map((p) => path.join(CNI_SOURCE, p))],
    { version, arch, scripts: false },
  );

  await mkdir(path.join(stage, 'bin'), { recursive: true });
  for (const b of HOST_BINARIES) await copyFile(path.join(bins, b), path.join(stage, 'bin', b));
  await copyFile(RUNC, path.join(stage, 'bin', 'runc'));
  await mkdir(path.join(stage, 'cni'), { recursive: true });
  for (const p of CNI_PLUGINS) await copyFile(path.join(CNI_SOURCE, p), path.join(stage, 'cni', p));
  const refs: string[] = [];
  for (const img of await kubeImageSpecs(bins, version, arch)) {
    const file = path.join(stage, imageArchivePath(img));
    await mkdir(path.dirname(file), { recursive: true });
    await writeOciArchive(img.spec, file);
    refs.push(`${img.role} ${imageArchivePath(img)} ${img.ref}\n`);
  }
  await writeFile(path.join(stage, IMAGE_REFS), refs.join(''), { mode: 0o644 });
  return notes;
}

/**
 * What a real rootfs must hold for init.sh and the kubeadm runtime: the host binaries, containerd's
 * runc, the CNI plugins, images/refs and every image it lists for `version`. The first missing piece, or undefined.
 */
export function missingRealPiece(m: Manifest): string | undefined {
  const have = new Set(m.files.map((f) => f.path));
  const wanted = [
    ...[...HOST_BINARIES, 'runc'].map((b) => `bin/${b}`),
    ...CNI_PLUGINS.map((p) => `cni/${p}`),
    IMAGE_REFS,
    ...imagesOf(m.kubernetesVersion).map((img) => imageArchivePath(img)),
  ];
  return wanted.find((p) => !have.has(p));
}

/** "ROLE FILE REF" per image: init.sh imports by it, apply knows from it that nothing is pulled. */
export const IMAGE_REFS = 'images/refs';

/** The rootfs carries the cluster's images (kubeadm then pulls nothing). */
export function hasLocalImages(m: Manifest): boolean {
  return m.files.some((f) => f.path === IMAGE_REFS);
}
