// loadRootfs: open a rootfs image (directory or .tar.gz) and prove it matches its manifest before
// anything is pushed from it. Opening an unchanged image is cheap: the sums come from the stamp-keyed
// hash cache (computeManifest), and a .tar.gz is unpacked once into the sealts home, not per run.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, realpath, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { sealtsHome } from '../state/store.js';
import { isTarGz, unpackTarGz } from './archive.js';
import { MANIFEST_FILE, readManifest, verifyDir, type Manifest } from './manifest.js';

export interface LoadedRootfs {
  /** The image as given. */
  source: string;
  /** A directory holding the unpacked image. */
  dir: string;
  manifest: Manifest;
  /** Nothing to release today (an unpacked archive stays cached); kept so callers need not know. */
  close(): Promise<void>;
}

/** Unpacked archives kept besides the one in use: a rollback to the previous image unpacks nothing. */
const KEEP_UNPACKED = 2;

function unpackCacheRoot(): string {
  return path.join(sealtsHome(), '.cache', 'rootfs');
}

/**
 * The directory a .tar.gz unpacks to, keyed by the archive's path and stamp (device, inode, size,
 * mtime, ctime in ns): rewriting or replacing the archive changes the key. `fresh` drops what is
 * there first (a cached copy that no longer matches its manifest was changed after unpacking).
 */
async function unpackedArchive(image: string, fresh: boolean): Promise<string> {
  const s = await stat(image, { bigint: true });
  const key = createHash('sha256').update(`${await realpath(image)}\0${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`).digest('hex').slice(0, 32);
  const root = unpackCacheRoot();
  const dir = path.join(root, key);
  if (fresh) await rm(dir, { recursive: true, force: true });
  if (await stat(path.join(dir, MANIFEST_FILE)).catch(() => undefined)) {
    const now = new Date();
    await utimes(dir, now, now).catch(() => {}); // most recently used, for the eviction below
    return dir;
  }
  await mkdir(root, { recursive: true, mode: 0o700 });
  // Unpacked beside its final name, then renamed: a second sealts unpacking the same archive at the
  // same time, or an interrupted one, never leaves a half directory under the key.
  const temp = await mkdtemp(path.join(root, '.unpack-'));
  try {
    await unpackTarGz(image, temp);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw new UserError(`${image}: cannot unpack: ${(e as Error).message}`);
  }
  await rename(temp, dir).catch(async (e: NodeJS.ErrnoException) => {
    await rm(temp, { recursive: true, force: true });
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // the other process won: same content
  });
  await evictUnpacked(root, dir);
  return dir;
}

/** Keep the KEEP_UNPACKED most recently used archives besides `keep`; stale .unpack- dirs go after a day. */
async function evictUnpacked(root: string, keep: string): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true });
  const dirs = await Promise.all(
    entries.filter((e) => e.isDirectory()).map(async (e) => ({ p: path.join(root, e.name), temp: e.name.startsWith('.'), mtime: (await stat(path.join(root, e.name))).mtimeMs })),
  );
  const unpacked = dirs.filter((d) => !d.temp && d.p !== keep).sort((a, b) => b.mtime - a.mtime);
  const old = [...unpacked.slice(KEEP_UNPACKED), ...dirs.filter((d) => d.temp && d.mtime < Date.now() - 86_400_000)];
  await Promise.all(old.map((d) => rm(d.p, { recursive: true, force: true })));
}

async function verified(image: string, dir: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  const problems = await verifyDir(dir, manifest);
  if (problems.length > 0) {
    throw new UserError(`${image}: does not match its manifest (${problems.length} problem(s)): ${problems[0]}`, problems);
  }
  return manifest;
}

export async function loadRootfs(image: string): Promise<LoadedRootfs> {
  const st = await stat(image).catch(() => undefined);
  if (!st) throw new UserError(`${image}: rootfs image not found`);
  const close = async () => {};
  if (st.isDirectory()) return { source: image, dir: image, manifest: await verified(image, image), close };
  if (!st.isFile() || !isTarGz(image)) throw new UserError(`${image}: a rootfs image is a directory or a .tar.gz`);
  const dir = await unpackedArchive(image, false);
  try {
    return { source: image, dir, manifest: await verified(image, dir), close };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // The cached copy may have been changed since it was unpacked: the archive itself decides.
    const again = await unpackedArchive(image, true);
    return { source: image, dir: again, manifest: await verified(image, again), close };
  }
}
