// Each host's processes live in their own cgroup subtree in every hierarchy (v1 controllers, the
// named systemd hierarchy, the unified v2 one), so systemd units and runc containers of different
// hosts never share cgroups. The subtree sits below the launching process's own cgroup.
import { readFile, mkdir, writeFile, rmdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

interface Hierarchy {
  mountPoint: string;
  /** The launcher's cgroup path within this hierarchy. */
  current: string;
  cpuset: boolean;
}

async function hierarchies(): Promise<Hierarchy[]> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' '));
  const membership = (await readFile('/proc/self/cgroup', 'utf8')).trim().split('\n').map((l) => {
    const [, , controllers = '', cgPath = '/'] = l.match(/^(\d+):([^:]*):(.*)$/) ?? [];
    return { controllers: controllers.split(',').filter(Boolean), cgPath };
  });
  const result: Hierarchy[] = [];
  for (const [, mountPoint, fsType, options] of mounts) {
    if (!mountPoint || !options) continue;
    if (fsType === 'cgroup2') {
      const m = membership.find((x) => x.controllers.length === 0);
      if (m) result.push({ mountPoint, current: m.cgPath, cpuset: false });
    } else if (fsType === 'cgroup') {
      const opts = options.split(',');
      const m = membership.find((x) => x.controllers.length > 0 && x.controllers.every((c) => opts.includes(c)));
      if (m) result.push({ mountPoint, current: m.cgPath, cpuset: m.controllers.includes('cpuset') });
    }
  }
  return result;
}

/** The fleet's group directory in every hierarchy (`<mount><launcher cgroup>/sealts-fleet-<id>`). */
export async function fleetCgroupDirs(groupName: string): Promise<string[]> {
  return (await hierarchies()).map((h) => path.join(h.mountPoint, h.current, groupName));
}

/** Creates `<group>/<host>` in every hierarchy; returns the cgroup.procs files to join. */
export async function createHostCgroups(groupDirs: readonly string[], host: string): Promise<string[]> {
  const procs: string[] = [];
  for (const group of groupDirs) {
    const leaf = path.join(group, host);
    const isCpuset = existsSync(path.join(path.dirname(group), 'cpuset.cpus'));
    for (const dir of [group, leaf]) {
      await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      // cgroup v1 cpuset starts empty and refuses tasks until cpus and mems are copied down. Hosts
      // start in parallel, so check the values rather than whether the directory is new.
      if (isCpuset) {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          if ((await readFile(path.join(dir, f), 'utf8')).trim() !== '') continue;
          await writeFile(path.join(dir, f), await readFile(path.join(path.dirname(dir), f), 'utf8'));
        }
      }
    }
    procs.push(path.join(leaf, 'cgroup.procs'));
  }
  return procs;
}

/** Removes a cgroup tree bottom-up; cgroups still holding (dying) tasks are retried briefly. */
export async function removeCgroupTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  // The host's own systemd may still be removing its cgroups as it dies: gone by now is done.
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  for (const entry of entries) {
    if (entry.isDirectory()) await removeCgroupTree(path.join(dir, entry.name));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= 100) throw new Error(`cannot remove cgroup ${dir}: ${code}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Finds group dirs of this fleet anywhere near the top of every hierarchy (for cleanup after a crash). */
export async function findFleetCgroupDirs(groupName: string, maxDepth = 4): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name === groupName) found.push(p);
      else if (depth < maxDepth) await walk(p, depth + 1);
    }
  };
  for (const h of await hierarchies()) await walk(h.mountPoint, 0);
  return found;
}
