// sha256 of local upload sources, remembered across runs in $SEALTS_HOME/.cache/local-sha256.json
// (like git's index): a file whose device, inode, size, mtime and ctime (nanoseconds) are unchanged
// is not read again, so an unchanged re-push reads no file content locally.
//
// Why ctime too: a tool may put the mtime back after writing (`touch -r`, `cp -p`, `tar x`), but the
// kernel sets ctime on every write, chmod or rename and it cannot be set by a user; so unlike a
// size+mtime check (rsync's default) that case is caught. What is NOT caught (documented in
// README.md): a change that keeps all five (the system clock set back to the old ctime between two
// writes, or filesystems that do not keep inode/ctime, e.g. some FUSE mounts).
// "Racy" entries are not stored: a file whose ctime is within RACY_MS of the moment hashing began
// could be written again within the same timestamp tick without any stat field changing.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../state/atomic.js';
import { sealtsHome } from '../state/store.js';

const VERSION = 1;
/** Larger than any filesystem timestamp tick (coarse kernel clock, NFS server skew of a little). */
export const RACY_MS = 1000;
/** Bound the file: the entries used longest ago are dropped first. */
const MAX_ENTRIES = 50_000;

/** Everything about a file that a write changes. */
export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export function stampKey(s: FileStamp): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

interface CacheFile {
  version: number;
  /** absolute path -> [stampKey, sha256], least recently used first */
  entries: Record<string, [string, string]>;
}

export function localHashCachePath(): string {
  // A dot name like the state's .archive: never taken for a cluster (listClusters) nor a valid cluster name.
  return path.join(sealtsHome(), '.cache', 'local-sha256.json');
}

export class LocalHashCache {
  readonly file: string;
  private entries: Map<string, [string, string]> | undefined;
  private loading: Promise<void> | undefined;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  private async load(): Promise<Map<string, [string, string]>> {
    this.loading ??= (async () => {
      const entries = new Map<string, [string, string]>();
      try {
        const c = JSON.parse(await readFile(this.file, 'utf8')) as CacheFile;
        if (c.version === VERSION && c.entries && typeof c.entries === 'object') {
          for (const [p, e] of Object.entries(c.entries)) {
            if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1])) entries.set(p, [e[0], e[1]]);
          }
        }
      } catch {
        // missing or unreadable: start empty; the cache only saves work, never decides correctness alone
      }
      this.entries = entries;
    })();
    await this.loading;
    return this.entries!;
  }

  /** The remembered sha256 of `file` if its stamp is unchanged. */
  async get(file: string, stamp: FileStamp): Promise<string | undefined> {
    const entries = await this.load();
    const e = entries.get(file);
    if (!e || e[0] !== stampKey(stamp)) return undefined;
    entries.delete(file); // most recently used last; not worth a write of its own
    entries.set(file, e);
    return e[1];
  }

  /** Remember a hash computed from content whose stamp was `stamp` before and after reading it. */
  async set(file: string, stamp: FileStamp, sha256: string, hashStartedMs: number): Promise<void> {
    const entries = await this.load();
    // A stale entry goes from the file too, even when the new hash is too racy to be kept.
    if (entries.delete(file)) this.dirty = true;
    if (Number(stamp.ctimeNs / 1_000_000n) >= hashStartedMs - RACY_MS) return; // racy: hash again next time
    entries.set(file, [stampKey(stamp), sha256]);
    this.dirty = true;
  }

  /**
   * Write the cache (temp file + rename, so a reader never sees half of it). Best effort: a
   * read-only home only costs re-hashing next run. Concurrent callers are serialized.
   */
  save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (!this.dirty || !this.entries) return;
      this.dirty = false;
      const all = [...this.entries];
      const kept = all.slice(Math.max(0, all.length - MAX_ENTRIES));
      const body: CacheFile = { version: VERSION, entries: Object.fromEntries(kept) };
      try {
        await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.file, `${JSON.stringify(body)}\n`, { mode: 0o600 });
      } catch {
        // not writable: correctness does not depend on the cache
      }
    });
    return this.saving;
  }
}
