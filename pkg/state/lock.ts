// One apply/join/delete per cluster at a time: an exclusive lock file holding the owner's pid.
// A lock left by a dead process is taken over; a live one is a clear error naming the pid.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { UserError } from '../errors/errors.js';

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export async function acquireLock(path: string, cluster: string): Promise<Lock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid} ${hostname()}\n`, { flag: 'wx', mode: 0o600 });
      return { path, release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(path);
    if (holder !== undefined && isAlive(holder)) {
      throw new UserError(`cluster ${cluster} is locked by another sealts (pid ${holder}, lock file ${path}); wait for it to finish`);
    }
    // Stale: its owner is gone (or the file is unreadable garbage). Remove and retry.
    await rm(path, { force: true });
  }
  throw new UserError(`could not take the lock ${path} for cluster ${cluster}`);
}

async function readHolder(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).split(/\s/)[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
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
