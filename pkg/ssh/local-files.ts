// The local side of an upload: which files, under which names, with which sha256.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { UserError } from '../errors/errors.js';
import { LocalHashCache, localHashCachePath, stampKey, type FileStamp } from './local-hash-cache.js';
import type { UploadFile } from './types.js';

/** Read size for hashing: 16x Node's default, measurably faster for the rootfs (bench/RESULTS.md: upload streams read 256 KB chunks). */
export const READ_CHUNK = 1 << 20;
/**
 * Read size for upload streams: 4x Node's default. Every host's stream holds a chunk or two, so
 * with 10 streams at 1 MB the process peaked at 200 MB pushing 1 GB; at 256 KB, ~40 MB less.
 */
export const STREAM_CHUNK = 1 << 18;
/** Files hashed at once: libuv's thread pool reads 4 at a time anyway, and each open file is an fd. */
const HASH_CONCURRENCY = 4;

/** `fs` for tar-fs whose read streams use STREAM_CHUNK. */
export const fastFs = {
  ...fs,
  createReadStream: (p: fs.PathLike, o?: Parameters<typeof fs.createReadStream>[1]) =>
    fs.createReadStream(p, { ...(typeof o === 'object' ? o : {}), highWaterMark: STREAM_CHUNK }),
};

function checkName(name: string, from: string): void {
  const parts = name.split('/');
  // `.sealts-*` at the top is the receiver's own (temp dirs, the compressed entries' folders).
  if (name === '' || name.includes('\0') || name.startsWith('.sealts-') || path.posix.isAbsolute(name) || parts.some((p) => p === '..' || p === '' || p === '.')) {
    throw new UserError(`upload: invalid destination name ${JSON.stringify(name)} for ${from}`);
  }
}

/** A file, or every regular file under a directory (names relative to it), or the given list. */
export async function listUploadFiles(src: string | readonly UploadFile[]): Promise<UploadFile[]> {
  let files: UploadFile[];
  if (typeof src !== 'string') {
    files = src.map((f) => ({ path: path.resolve(f.path), name: f.name, ...(f.encoded ? { encoded: { path: path.resolve(f.encoded.path), codec: f.encoded.codec } } : {}) }));
  } else {
    const root = path.resolve(src);
    const st = await stat(root).catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`upload: ${src}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    });
    if (st.isDirectory()) {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      files = [];
      for (const e of entries) {
        const full = path.join(e.parentPath ?? e.path, e.name);
        const isFile = e.isFile() || (e.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile());
        if (isFile) files.push({ path: full, name: path.relative(root, full).split(path.sep).join('/') });
      }
      files.sort((a, b) => a.name.localeCompare(b.name));
    } else {
      files = [{ path: root, name: path.basename(root) }];
    }
  }
  const seen = new Set<string>();
  for (const f of files) {
    checkName(f.name, f.path);
    if (seen.has(f.name)) throw new UserError(`upload: two files map to ${JSON.stringify(f.name)}`);
    seen.add(f.name);
  }
  return files;
}

// One hash per file per run even when it goes to many hosts, and across runs through the stat-keyed
// cache in the sealts home (local-hash-cache.ts): an unchanged file is not read at all.
let persistent: LocalHashCache | undefined;
const hashSlots = pLimit(HASH_CONCURRENCY);
const inRun = new Map<string, Promise<string>>();
/** Files actually read and hashed by this process (tests and benchmarks check it). */
let filesHashed = 0;

function cache(): LocalHashCache {
  persistent ??= new LocalHashCache(localHashCachePath());
  return persistent;
}

async function stampOf(file: string): Promise<FileStamp> {
  const s = await stat(file, { bigint: true });
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
}

async function hashFile(file: string, before: FileStamp): Promise<string> {
  const c = cache();
  const known = await c.get(file, before);
  if (known !== undefined) return known;
  const startedMs = Date.now();
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: READ_CHUNK }), hash);
  filesHashed++;
  const sum = hash.digest('hex');
  // Changed while being read: the sum may mix two versions; use it (the host-side check catches a
  // mismatch) but do not remember it.
  if (stampKey(await stampOf(file)) === stampKey(before)) await c.set(file, before, sum, startedMs);
  return sum;
}

export async function localSha256(file: string): Promise<string> {
  const stamp = await stampOf(file);
  const key = `${file}\0${stampKey(stamp)}`;
  let h = inRun.get(key);
  if (!h) {
    h = hashSlots(() => hashFile(file, stamp));
    inRun.set(key, h);
    h.catch(() => inRun.delete(key));
  }
  return h;
}

/** The sha256 of each file, then the cache written once for the set. */
export async function localSha256s(files: readonly string[]): Promise<string[]> {
  const sums = await Promise.all(files.map((f) => localSha256(f)));
  await cache().save();
  return sums;
}

export function localHashStats(): { filesHashed: number } {
  return { filesHashed };
}

/** Forget what this process knows, as if it were a new run (tests): the cache file is read again. */
export function resetLocalHashMemory(): void {
  persistent = undefined;
  inRun.clear();
  filesHashed = 0;
}
