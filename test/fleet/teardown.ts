// Removes everything one fleet id made, whether its `up` finished, failed half-way or its runner
// crashed: processes (from pid files, and any process still in one of its network namespaces),
// mounts under its runtime dir, network namespaces, veths, bridge, FORWARD rules, cgroups, state files.
import { readdir, readFile, readlink, rm, rmdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';
import { cgroupGroupName, netnsPrefix, runtimeDir, stateDir, vethPrefix } from './layout.js';
import { findFleetCgroupDirs, removeCgroupTree } from './cgroups.js';
import { killAndWait, readPidFile, isLauncherOf } from './host.js';
import { removeBridge } from './network.js';
import { step } from './debug.js';

/** Files a fleet writes in its state dir (for id 0 the dir also holds the other ids' dirs). */
export const STATE_FILES = ['inventory.json', 'id_ed25519', 'id_ed25519.pub', 'known_hosts', 'pids', 'logs'];

async function fleetNetns(id: number): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).filter((n) => n.startsWith(netnsPrefix(id)));
  } catch {
    return [];
  }
}

/** Every process whose network namespace is one of the fleet's (its hosts and anything they started). */
async function processesInNetns(netnsNames: readonly string[]): Promise<number[]> {
  const inodes = new Set<string>();
  for (const n of netnsNames) {
    try {
      inodes.add(`net:[${(await stat(`/run/netns/${n}`)).ino}]`);
    } catch {
      /* half-made */
    }
  }
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (inodes.has(await readlink(`/proc/${entry}/ns/net`))) pids.push(Number(entry));
    } catch {
      /* exited */
    }
  }
  return pids;
}

/** Launchers recorded in pid files, checked to still be this fleet's (PIDs get reused). */
async function launchers(id: number): Promise<number[]> {
  const dir = path.join(stateDir(id), 'pids');
  const pids: number[] = [];
  let files: string[] = [];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  for (const f of files) {
    const pid = await readPidFile(path.join(dir, f));
    const hostDir = path.join(runtimeDir(id), 'hosts', f.replace(/\.pid$/, ''));
    if (pid !== undefined && (await isLauncherOf(pid, hostDir))) pids.push(pid);
  }
  return pids;
}

async function mountsUnder(dir: string): Promise<string[]> {
  const lines = (await readFile('/proc/self/mounts', 'utf8')).split('\n');
  // /proc/mounts escapes spaces as \040; our paths have none.
  return lines
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

async function outerVeths(id: number): Promise<string[]> {
  const out = (await run(['ip', '-o', 'link', 'show', 'type', 'veth'])).stdout;
  return out
    .split('\n')
    .map((l) => l.match(/^\d+: ([^@:]+)/)?.[1] ?? '')
    .filter((n) => n.startsWith(vethPrefix(id)) && /^\d+$/.test(n.slice(vethPrefix(id).length)));
}

/** keepLogs: leave `.fleet/<id>/logs/` (hosts' boot logs) for a post-mortem of a failed `up`. */
export async function teardown(id: number, recordedCgroupDirs: readonly string[] = [], opts: { keepLogs?: boolean } = {}): Promise<void> {
  const netns = await fleetNetns(id);
  // Kill the hosts' PID 1s (taking their PID namespaces with them) and launchers, then stragglers.
  const first = [...(await launchers(id)), ...(await processesInNetns(netns))];
  await killAndWait(first);
  await killAndWait(await processesInNetns(netns));
  step(`down ${id}: processes gone`);

  const rt = runtimeDir(id);
  for (const m of await mountsUnder(rt)) {
    const r = await run(['umount', m]);
    if (r.code !== 0) await run(['umount', '-l', m]);
  }
  if (existsSync(rt)) await rm(rt, { recursive: true, force: true });
  await rmdir(path.dirname(rt)).catch(() => undefined); // /run/sealts-fleet, once no fleet is left
  step(`down ${id}: mounts gone`);

  if (netns.length > 0) {
    await run(['ip', '-force', '-batch', '-'], { input: netns.map((n) => `netns del ${n}`).join('\n') + '\n' });
  }
  for (const v of await outerVeths(id)) await run(['ip', 'link', 'del', v]);
  await removeBridge(id);
  step(`down ${id}: network gone`);

  const groups = new Set([...recordedCgroupDirs, ...(await findFleetCgroupDirs(cgroupGroupName(id)))]);
  for (const g of groups) await removeCgroupTree(g);
  step(`down ${id}: cgroups gone`);

  const sd = stateDir(id);
  for (const f of STATE_FILES) {
    if (!(opts.keepLogs && f === 'logs')) await rm(path.join(sd, f), { recursive: true, force: true });
  }
  if (id !== 0 && !opts.keepLogs) await rm(sd, { recursive: true, force: true });
}
