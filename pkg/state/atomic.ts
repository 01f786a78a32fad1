// Atomic file writes: a reader sees either the old content or the new, never half a file,
// even if sealts dies mid-write (temp file in the same directory + fsync + rename + fsync of the dir).
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600: state files may hold secrets). */
  mode?: number;
  /** Test hook: runs after the temp file is durable and before the rename (simulate a crash here). */
  beforeRename?: (tempPath: string) => Promise<void> | void;
}

/** The temp name beside `path`; readers ignore such files (they only exist during a write or after a crash). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const tmp = tempPathFor(path);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      // open()'s mode is filtered by the umask; set it explicitly so 0600 really is 0600.
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.(tmp);
    await rename(tmp, path);
    renamed = true;
    await syncDir(dirname(path));
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
}

/** fsync a directory so the rename itself survives a power loss. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
