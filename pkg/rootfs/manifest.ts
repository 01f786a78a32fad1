// manifest.json: what a rootfs image claims to contain (Kubernetes version, arch, sha256 + mode of
// every file). Written at build time, checked on load and again on every host after the push.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { localSha256s } from '../ssh/local-files.js';
import { noManifestMessage } from './skeleton.js';

/** The image's folder of compressed copies (payload.ts); never a manifest file's own path. */
export const PAYLOAD_DIR = 'payload';

/** Where `file`'s copy compressed with `codec` lives in the image. */
export function payloadPath(codec: 'zstd' | 'gzip', file: string): string {
  return `${PAYLOAD_DIR}/${codec}/${file}.${codec === 'zstd' ? 'zst' : 'gz'}`;
}

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestFile {
  /** Relative to the rootfs root, `/`-separated. */
  path: string;
  sha256: string;
  /** Permission bits as octal text, e.g. "755". */
  mode: string;
  size: number;
  /** The roles that need the file; absent: every host. A host receives and checks only its role's files. */
  roles?: RootfsRole[];
  /** Its compressed copies in the image (payload.ts: payload/<codec>/<path>.zst|.gz), by codec. */
  packed?: Partial<Record<'zstd' | 'gzip', PackedCopy>>;
}

export interface PackedCopy {
  size: number;
  sha256: string;
}

export type RootfsRole = 'master' | 'node';

/** The files a host of `role` receives, runs and has checked. */
export function filesFor(m: Manifest, role: RootfsRole): ManifestFile[] {
  return m.files.filter((f) => !f.roles || f.roles.includes(role));
}

export interface Manifest {
  kubernetesVersion: string;
  /** Debian/Go arch names: amd64, arm64. */
  arch: string;
  files: ManifestFile[];
}

/** Every regular file under dir (relative, sorted), manifest.json and the compressed copies (payload/) excluded. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    if (e.isSymbolicLink()) throw new UserError(`${path.join(dir, rel)}: symbolic links are not allowed in a rootfs`);
    if (!e.isFile() || rel === MANIFEST_FILE || rel.startsWith(`${PAYLOAD_DIR}/`)) continue;
    // One path per line in `sha256sum -c` input on the host: a newline would split an entry.
    if (/[\n\r\\]/.test(rel)) throw new UserError(`${path.join(dir, rel)}: file names with newlines or backslashes are not allowed`);
    out.push(rel);
  }
  return out.sort();
}

/**
 * Hash and stat every file. The sums come through the upload's stamp-keyed cache
 * (pkg/ssh/local-hash-cache.ts): a file unchanged since it was last hashed (device, inode, size,
 * mtime and ctime to the nanosecond) is not read again, so opening an unchanged image re-hashes
 * nothing, and a push of it finds its sums already known.
 */
export async function computeManifest(dir: string, kubernetesVersion: string, arch: string): Promise<Manifest> {
  const rels = await listFiles(dir);
  const sums = await localSha256s(rels.map((rel) => path.resolve(dir, rel)));
  const files: ManifestFile[] = [];
  for (const [i, rel] of rels.entries()) {
    const st = await stat(path.join(dir, rel));
    files.push({ path: rel, sha256: sums[i]!, mode: (st.mode & 0o7777).toString(8), size: st.size });
  }
  const masterOnly = await masterOnlyFiles(dir);
  for (const f of files) if (masterOnly.has(f.path)) f.roles = ['master'];
  return { kubernetesVersion, arch, files };
}

/**
 * What only masters run: etcd's client tools (snapshots, membership) and kubectl (sealts acts through
 * a master's admin kubeconfig; workers hold none), and the images images/refs gives role master
 * (apiserver, controller manager, scheduler, etcd). Nodes get the rest: kubelet, kubeadm,
 * containerd, CNI, kube-proxy and pause images.
 */
const MASTER_BINARIES = ['bin/etcdctl', 'bin/etcdutl', 'bin/kubectl'];

async function masterOnlyFiles(dir: string): Promise<Set<string>> {
  const out = new Set(MASTER_BINARIES);
  const refs = await readFile(path.join(dir, 'images', 'refs'), 'utf8').catch(() => '');
  for (const line of refs.split('\n')) {
    const [role, file] = line.trim().split(/\s+/);
    if (role === 'master' && file) out.add(file);
  }
  return out;
}

/** Parse and shape-check manifest.json; errors name the file. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    // No manifest at all: the skeleton (or some other directory), said as such rather than ENOENT.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(await noManifestMessage(dir));
    throw new UserError(`${file}: cannot read the rootfs manifest: ${(e as Error).message}`);
  }
  const m = raw as Partial<Manifest>;
  const ok =
    typeof m === 'object' && m !== null &&
    typeof m.kubernetesVersion === 'string' && typeof m.arch === 'string' && Array.isArray(m.files) &&
    m.files.every((f) => typeof f?.path === 'string' && /^[0-9a-f]{64}$/.test(String(f?.sha256)) && /^[0-7]{3,4}$/.test(String(f?.mode)) &&
      (f.roles === undefined || (Array.isArray(f.roles) && f.roles.every((r) => r === 'master' || r === 'node'))) &&
      (f.packed === undefined || (typeof f.packed === 'object' && f.packed !== null && Object.entries(f.packed).every(([c, p]) =>
        (c === 'zstd' || c === 'gzip') && typeof p?.size === 'number' && /^[0-9a-f]{64}$/.test(String(p?.sha256))))));
  if (!ok) throw new UserError(`${file}: not a sealts rootfs manifest (needs kubernetesVersion, arch, files[{path, sha256, mode, roles?: master|node}])`);
  for (const f of m.files!) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw new UserError(`${file}: file path ${JSON.stringify(f.path)} escapes the rootfs`);
    if (f.path.startsWith(`${PAYLOAD_DIR}/`)) throw new UserError(`${file}: file path ${JSON.stringify(f.path)} is under ${PAYLOAD_DIR}/, the compressed copies' folder`);
  }
  return m as Manifest;
}

/**
 * Compare a directory against its manifest: every listed file present with that hash and mode, its
 * compressed copies with theirs, nothing extra.
 */
export async function verifyDir(dir: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const [actual, copies] = await Promise.all([computeManifest(dir, manifest.kubernetesVersion, manifest.arch), verifyCopies(dir, manifest)]);
  problems.push(...copies);
  const byPath = new Map(actual.files.map((f) => [f.path, f]));
  for (const want of manifest.files) {
    const got = byPath.get(want.path);
    if (!got) problems.push(`${want.path}: missing`);
    else if (got.sha256 !== want.sha256) problems.push(`${want.path}: sha256 mismatch`);
    else if (got.mode !== want.mode) problems.push(`${want.path}: mode ${got.mode}, manifest says ${want.mode}`);
    byPath.delete(want.path);
  }
  for (const extra of byPath.keys()) problems.push(`${extra}: not in the manifest`);
  return problems;
}

/** The compressed copies the manifest lists, each with its sha256, and no other file under payload/. */
async function verifyCopies(dir: string, manifest: Manifest): Promise<string[]> {
  const want = manifest.files.flatMap((f) => Object.entries(f.packed ?? {}).map(([codec, p]) => ({ rel: payloadPath(codec as 'zstd' | 'gzip', f.path), sha256: p.sha256 })));
  const present = new Set(
    (await readdir(path.join(dir, PAYLOAD_DIR), { recursive: true, withFileTypes: true }).catch(() => []))
      .filter((e) => !e.isDirectory())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')),
  );
  const problems: string[] = [];
  const there = want.filter((w) => present.has(w.rel));
  const sums = await localSha256s(there.map((w) => path.resolve(dir, w.rel)));
  for (const w of want) if (!present.has(w.rel)) problems.push(`${w.rel}: missing`);
  there.forEach((w, i) => sums[i] !== w.sha256 && problems.push(`${w.rel}: sha256 mismatch`));
  const known = new Set(want.map((w) => w.rel));
  for (const p of present) if (!known.has(p)) problems.push(`${p}: not in the manifest`);
  return problems;
}
