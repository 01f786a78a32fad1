// Files of the pki dir: atomic writes with the right modes; reads that say which file failed.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic as writeDurably } from '../state/atomic.js';

export const CERT_MODE = 0o644;
export const SECRET_MODE = 0o600;

/** pkg/state's atomic write (temp + fsync + rename) into a 0700 directory tree. */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeDurably(path, content, { mode });
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
