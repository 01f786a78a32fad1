// One apply/join/delete per cluster at a time: an exclusive lock file recording the owner's host
// and pid. A lock whose owner is gone (same host, no such process) is taken over with a warning that
// names it; a live owner, or one on another machine (whose pid cannot be checked), is an error.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserError } from '../errors/errors.js';

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
  /** For a process that is about to exit (a signal): no awaiting. */
  releaseNow(): void;
}

export interface LockHolder {
  pid: number;
  host: string;
  command?: string;
  since?: string;
}

export interface LockOptions {
  /** What takes it (shown to whoever finds it held). */
  command?: string;
  /** Told when a stale lock is taken over. */
  warn?: (line: string) => void;
}

export async function acquireLock(path: string, cluster: string, o: LockOptions = {}): Promise<Lock> {
  const me: LockHolder = { pid: process.pid, host: hostname(), command: o.command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      return { path, release: () => rm(path, { force: true }), releaseNow: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(path);
    if (holder === 'gone') continue; // released between our write and our read: try again
    if (holder) {
      const who = `pid ${holder.pid} on ${holder.host}${holder.command ? ` (sealts ${holder.command}` + (holder.since ? ` since ${holder.since})` : ')') : ''}`;
      if (holder.host !== me.host) {
        throw new UserError(`cluster ${cluster} is locked by ${who}, another machine: wait for it, or remove ${path} once you know it is gone`);
      }
      if (isAlive(holder.pid)) throw new UserError(`cluster ${cluster} is locked by ${who}; wait for it to finish`);
      o.warn?.(`taking over the lock of cluster ${cluster} from ${who}, which is gone (${path})`);
    } else {
      o.warn?.(`taking over the lock of cluster ${cluster}: ${path} names no owner`);
    }
    await rm(path, { force: true });
  }
  throw new UserError(`could not take the lock ${path} for cluster ${cluster}`);
}

/** The owner recorded in a lock file (JSON; older sealts wrote "PID HOST"): undefined if it names none, 'gone' if the file is. */
async function readHolder(path: string): Promise<LockHolder | 'gone' | undefined> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
  try {
    const j = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(j.pid) && (j.pid as number) > 0 && typeof j.host === 'string') return j as LockHolder;
  } catch {
    const [pid, host] = text.split(/\s+/);
    const n = Number.parseInt(pid ?? '', 10);
    if (Number.isInteger(n) && n > 0 && host) return { pid: n, host };
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
