// Starting, stopping and waiting for one fleet host. A host is tracked by the PID of its launcher
// (join-cgroups.sh -> nsenter -> unshare, one PID through every exec); its PID 1 is that process's child.
import { readFile, writeFile, open, mkdir, rm } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startDetached } from './exec.js';
import { HOST_INIT_SCRIPT, REPO_ROOT } from './layout.js';

export const JOIN_CGROUPS = path.join(REPO_ROOT, 'test', 'fleet', 'join-cgroups.sh');

export interface HostPaths {
  /** runtime dir of the host: identity/, upper/, work/, root/, containerd/ */
  dir: string;
  pidFile: string;
  logFile: string;
}

export interface StartSpec {
  name: string;
  netnsPath: string;
  cgroupProcs: readonly string[];
  fleetLayer: string;
  init: 'tini' | 'systemd';
  procSys: 'ro' | 'rw';
}

/** The writable parts of a host: an empty upper dir is a freshly installed host. */
export async function resetWritable(p: HostPaths): Promise<void> {
  for (const d of ['upper', 'work', 'containerd']) {
    await rm(path.join(p.dir, d), { recursive: true, force: true });
  }
  for (const d of ['upper', 'work', 'root', 'containerd']) await mkdir(path.join(p.dir, d), { recursive: true });
}

export async function startHost(p: HostPaths, spec: StartSpec): Promise<number> {
  const log = await open(p.logFile, 'a');
  try {
    const pid = await startDetached(
      [
        JOIN_CGROUPS, ...spec.cgroupProcs, '--',
        'nsenter', `--net=${spec.netnsPath}`,
        // --kill-child: if the launcher dies, the host's PID 1 (and so the whole host) dies with it.
        'unshare', '--mount', '--uts', '--ipc', '--pid', '--cgroup', '--fork', '--kill-child',
        HOST_INIT_SCRIPT, p.dir, spec.fleetLayer, spec.name, spec.init, spec.procSys,
      ],
      log.fd,
      (code, signal) => {
        // Why a host ended, in its log: a host that dies while booting often prints nothing itself.
        try {
          appendFileSync(p.logFile, `fleet: host launcher exited (${signal ? `signal ${signal}` : `code ${code}`})\n`);
        } catch {
          /* the fleet is gone, logs with it */
        }
      },
    );
    await writeFile(p.pidFile, `${pid}\n`);
    return pid;
  } finally {
    await log.close();
  }
}

async function cmdline(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return undefined;
  }
}

/** True when pid is alive and is the launcher of the host living in hostDir (pids get reused). */
export async function isLauncherOf(pid: number, hostDir: string): Promise<boolean> {
  const argv = await cmdline(pid);
  return argv !== undefined && argv.some((a) => a.endsWith('host-init.py')) && argv.includes(hostDir);
}

export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** PID (in the machine's namespace) of the host's PID 1. */
export async function initPidOf(launcherPid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    try {
      const children = (await readFile(`/proc/${launcherPid}/task/${launcherPid}/children`, 'utf8')).trim();
      const first = Number.parseInt(children.split(' ')[0] ?? '', 10);
      if (Number.isInteger(first)) return first;
    } catch {
      throw new Error(`host launcher ${launcherPid} is gone`);
    }
    await sleep(10);
  }
  throw new Error(`host launcher ${launcherPid} has no init process`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Alive and not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

/** SIGKILLs the given PIDs and waits until none of them runs any more. */
export async function killAndWait(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = [];
    for (const pid of pids) if (await isRunning(pid)) alive.push(pid);
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes still alive after SIGKILL: ${alive.join(' ')}`);
    await sleep(10);
  }
}

/** Stops a host: its PID 1 first (the kernel then kills its whole PID namespace), then the launcher. */
export async function stopHost(p: HostPaths): Promise<void> {
  const pid = await readPidFile(p.pidFile);
  if (pid === undefined || !(await isLauncherOf(pid, p.dir))) {
    await rm(p.pidFile, { force: true });
    return;
  }
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const initPids = children.trim().split(' ').filter(Boolean).map(Number);
  await killAndWait([...initPids, pid]);
  await rm(p.pidFile, { force: true });
}

/**
 * Resolves once the host's sshd sends its banner; rejects after timeoutMs. A connection that is
 * accepted is given all the remaining time to send its banner: sshd sends it only after re-executing
 * itself, which takes seconds on a loaded machine, and dropping slow attempts only adds load.
 */
export async function waitForSsh(ip: string, timeoutMs: number, isDead?: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await sshProbe(ip, Math.max(1000, deadline - Date.now()));
    if (outcome === 'banner') return;
    if (isDead && (await isDead())) throw new Error(`host ${ip} died while booting`);
    if (Date.now() > deadline) throw new Error(`sshd on ${ip}:22 did not answer within ${timeoutMs} ms (last: ${outcome})`);
    await sleep(25);
  }
}

/** Resolves once nothing accepts connections on ip:22 any more. */
export async function waitForSshClosed(ip: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await sshProbe(ip, 1000)) !== 'refused') {
    if (Date.now() > deadline) throw new Error(`sshd on ${ip}:22 still accepts connections after ${timeoutMs} ms`);
    await sleep(25);
  }
}

export type ProbeOutcome = 'banner' | 'refused' | 'timeout' | 'error';

/** Connects to ip:22 and waits up to timeoutMs for an SSH banner. */
export function sshProbe(ip: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: ip, port: 22 });
    let data = '';
    let settled = false;
    const done = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      sock.destroy();
      resolve(outcome);
    };
    sock.setTimeout(timeoutMs, () => done('timeout'));
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\n')) done(data.startsWith('SSH-') ? 'banner' : 'error');
    });
    sock.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error'));
    sock.on('close', () => done(data.startsWith('SSH-') ? 'banner' : 'error'));
  });
}

/** True when ip:22 answers with an SSH banner within timeoutMs. */
export async function sshBanner(ip: string, timeoutMs = 5000): Promise<boolean> {
  return (await sshProbe(ip, timeoutMs)) === 'banner';
}
