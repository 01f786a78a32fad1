// Helpers for the fleet's own tests: an ssh2 client that checks host keys against the fleet's
// known_hosts, and snapshots of everything a fleet id may leave on the machine.
import { readFile, readdir, readlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { run } from './exec.js';
import { cgroupGroupName, netnsPrefix, runtimeDir, stateDir, vethPrefix, bridgeName } from './layout.js';
import { findFleetCgroupDirs } from './cgroups.js';
import type { Fleet, FleetHost } from './index.js';

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface LoginOptions {
  user?: string;
  /** log in with this password instead of the fleet key */
  password?: string;
  stdin?: string;
  readyTimeoutMs?: number;
}

/** Host keys from known_hosts for one IP, as base64 blobs. */
async function knownKeys(fleet: Fleet, ip: string): Promise<Set<string>> {
  const lines = (await readFile(fleet.knownHostsPath, 'utf8')).split('\n');
  return new Set(
    lines.filter((l) => (l.split(' ')[0] ?? '').split(',').includes(ip)).map((l) => l.split(' ')[2] ?? ''),
  );
}

/** Runs one command over a real SSH connection (strict host-key check), like sealts will. */
export async function sshExec(fleet: Fleet, host: FleetHost, command: string, opts: LoginOptions = {}): Promise<SshResult> {
  const keys = await knownKeys(fleet, host.ip);
  const privateKey = opts.password === undefined ? await readFile(fleet.keyPath) : undefined;
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    conn
      .on('ready', () => {
        conn.exec(command, (err, stream) => {
          if (err) return reject(err);
          let stdout = '';
          let stderr = '';
          stream.on('data', (d: Buffer) => (stdout += d.toString()));
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          stream.on('close', (code: number | null) => {
            conn.end();
            resolve({ code, stdout, stderr });
          });
          if (opts.stdin !== undefined) stream.end(opts.stdin);
        });
      })
      .on('error', reject)
      .connect({
        host: host.ip,
        port: 22,
        username: opts.user ?? 'root',
        ...(privateKey ? { privateKey } : { password: opts.password }),
        readyTimeout: opts.readyTimeoutMs ?? 10_000,
        hostVerifier: (key: Buffer) => keys.has(key.toString('base64')),
      });
  });
}

/** Everything of fleet `id` visible on the machine; all empty once the fleet is down. */
export interface Traces {
  netns: string[];
  links: string[];
  mounts: string[];
  pidFiles: string[];
  cgroups: string[];
  iptables: string[];
  runtimeDir: boolean;
}

export async function traces(id: number): Promise<Traces> {
  const netns = existsSync('/run/netns') ? (await readdir('/run/netns')).filter((n) => n.startsWith(netnsPrefix(id))) : [];
  const links = (await run(['ip', '-o', 'link', 'show'])).stdout
    .split('\n')
    .map((l) => l.match(/^\d+: ([^@:]+)/)?.[1] ?? '')
    .filter((n) => n === bridgeName(id) || (n.startsWith(vethPrefix(id)) && /^\d+$/.test(n.slice(vethPrefix(id).length))));
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .filter((l) => l.includes(runtimeDir(id) + ' ') || l.includes(runtimeDir(id) + '/') || l.includes(`/run/netns/${netnsPrefix(id)}`));
  const pidDir = `${stateDir(id)}/pids`;
  const pidFiles = existsSync(pidDir) ? await readdir(pidDir) : [];
  const cgroups = await findFleetCgroupDirs(cgroupGroupName(id));
  const iptables = (await run(['iptables', '-w', '-S', 'FORWARD'])).stdout
    .split('\n')
    .filter((l) => l.includes(`--comment sealts-fleet-${id} `));
  return { netns, links, mounts, pidFiles, cgroups, iptables, runtimeDir: existsSync(runtimeDir(id)) };
}

/** PIDs of every process in the fleet's hosts (machine namespace numbering), with their launchers. */
export async function fleetPids(fleet: Fleet): Promise<number[]> {
  const inodes = new Set<string>();
  for (const h of fleet.hosts) {
    inodes.add(await readlink(`/proc/${await fleet.initPid(h)}/ns/net`));
  }
  const pids: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const ns = await readlink(`/proc/${e}/ns/net`).catch(() => '');
    if (inodes.has(ns)) pids.push(Number(e));
  }
  for (const h of fleet.hosts) {
    const pid = Number((await readFile(fleet.paths(h).pidFile, 'utf8')).trim());
    pids.push(pid);
  }
  return pids;
}

/** Running (a zombie waiting for its parent to reap it counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
