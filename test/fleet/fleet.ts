// A running fleet: its hosts, credentials, commands inside hosts and fault injection (see README.md).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { run as runLocal, type RunResult } from './exec.js';
import { stateDir } from './layout.js';
import type { FleetUsers, InitKind } from './template.js';
import { linkDown, linkUp, rateLimit } from './network.js';
import { createHostCgroups } from './cgroups.js';
import {
  JOIN_CGROUPS, initPidOf, isLauncherOf, isRunning, readPidFile, resetWritable, startHost as launchHost, stopHost,
  waitForSsh, waitForSshClosed, type HostPaths,
} from './host.js';
import { teardown } from './teardown.js';

export interface FleetHost {
  /** `host-<last octet>`, also its hostname */
  name: string;
  ip: string;
  octet: number;
  /** network namespace name (`ip -n <netns> ...`) */
  netns: string;
  /** outer end of the host's veth pair, in the machine's namespace */
  veth: string;
}

export interface FleetOptions {
  /** 0..255: bridge `sealts<id>`, hosts 198.18.<id>.11 and up, state in `.fleet/` (0) or `.fleet/<id>/` */
  id: number;
  n: number;
  /** 'tini' (tini -> sshd, light) or 'systemd' (systemd as PID 1: systemctl, journalctl). Default 'tini'. */
  init?: InitKind;
  /**
   * /proc/sys in the hosts: 'ro' (default) is read-only except net and the kubelet's vm and kernel
   * keys, which are per-host copies; 'rw' gives hosts the machine's real kernel settings.
   */
  procSys?: 'ro' | 'rw';
  /**
   * Size of the fleet's tmpfs (every host's upper dir, containerd store): tmpfs' `size=`, e.g. '20g'.
   * Default the kernel's, half the machine's memory: 43 hosts holding a real rootfs need more.
   */
  tmpfsSize?: string;
  /** How long a host may take until its sshd answers. Default 60 s (tini) / 120 s (systemd): generous, for a machine loaded by parallel test runs. */
  bootTimeoutMs?: number;
}

export interface Inventory {
  id: number;
  init: InitKind;
  procSys: 'ro' | 'rw';
  bridge: string;
  gateway: string;
  subnet: string;
  keyPath: string;
  knownHostsPath: string;
  users: FleetUsers;
  hosts: FleetHost[];
  runtimeDir: string;
  cgroupDirs: string[];
}

export interface HostRunOptions {
  /** written to the command's stdin */
  input?: string | Buffer;
  timeoutMs?: number;
}

type HostRef = FleetHost | string;

export class Fleet {
  readonly id: number;
  readonly init: InitKind;
  readonly hosts: readonly FleetHost[];
  readonly users: FleetUsers;
  /** root's (and ops'/ops2's) ed25519 private key */
  readonly keyPath: string;
  /** every host's ed25519 and ecdsa keys, as `ip,name type key` lines */
  readonly knownHostsPath: string;
  readonly stateDir: string;
  /** the bridge address: hosts' default gateway */
  readonly gateway: string;

  constructor(private readonly inv: Inventory) {
    this.id = inv.id;
    this.init = inv.init;
    this.hosts = inv.hosts;
    this.users = inv.users;
    this.keyPath = inv.keyPath;
    this.knownHostsPath = inv.knownHostsPath;
    this.gateway = inv.gateway;
    this.stateDir = stateDir(inv.id);
  }

  get inventory(): Inventory {
    return this.inv;
  }

  /** A host by object, name (`host-11`) or IP. */
  host(ref: HostRef): FleetHost {
    if (typeof ref !== 'string') return ref;
    const h = this.hosts.find((x) => x.name === ref || x.ip === ref);
    if (!h) throw new Error(`fleet ${this.id}: no host ${ref}`);
    return h;
  }

  paths(ref: HostRef): HostPaths {
    const h = this.host(ref);
    return {
      dir: path.join(this.inv.runtimeDir, 'hosts', h.name),
      pidFile: path.join(this.stateDir, 'pids', `${h.name}.pid`),
      logFile: path.join(this.stateDir, 'logs', `${h.name}.log`),
    };
  }

  /** PID (machine namespace) of the host's PID 1. */
  async initPid(ref: HostRef): Promise<number> {
    const p = this.paths(ref);
    const pid = await readPidFile(p.pidFile);
    if (pid === undefined || !(await isLauncherOf(pid, p.dir))) throw new Error(`${this.host(ref).name} is not running`);
    return initPidOf(pid);
  }

  /**
   * Runs argv inside the host (all its namespaces, its root), not over SSH: for test setup and
   * assertions. Never rejects on a non-zero exit; look at `code`.
   */
  async run(ref: HostRef, argv: readonly string[], opts: HostRunOptions = {}): Promise<RunResult> {
    const pid = await this.initPid(ref);
    // In the host's cgroup subtree too, so a daemon started this way belongs to the host.
    const cgroupProcs = await createHostCgroups(this.inv.cgroupDirs, this.host(ref).name);
    const env = ['env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8'];
    return runLocal(
      [JOIN_CGROUPS, ...cgroupProcs, '--', 'nsenter', '-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-C', '-r', '-w', ...env, ...argv],
      opts,
    );
  }

  /** Like run, but rejects (naming the host) unless the command exits 0; resolves with stdout. */
  async runOk(ref: HostRef, argv: readonly string[], opts: HostRunOptions = {}): Promise<string> {
    const r = await this.run(ref, argv, opts);
    if (r.code !== 0) throw new Error(`${this.host(ref).name}: ${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** argv for the system OpenSSH client logging into a host by key with strict host-key checking. */
  sshArgv(ref: HostRef, user = 'root'): string[] {
    return [
      'ssh', '-i', this.keyPath, '-o', `UserKnownHostsFile=${this.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-l', user, this.host(ref).ip,
    ];
  }

  private bootTimeout(): number {
    return this.inv.init === 'systemd' ? 120_000 : 60_000;
  }

  /** Starts a host whose launcher is not running and waits for its sshd. */
  async startHost(ref: HostRef, timeoutMs = this.bootTimeout()): Promise<void> {
    const h = this.host(ref);
    const p = this.paths(h);
    const running = await readPidFile(p.pidFile);
    if (running !== undefined && (await isLauncherOf(running, p.dir))) throw new Error(`${h.name} is already running`);
    const cgroupProcs = await createHostCgroups(this.inv.cgroupDirs, h.name);
    const pid = await launchHost(p, {
      name: h.name,
      netnsPath: `/run/netns/${h.netns}`,
      cgroupProcs,
      fleetLayer: path.join(this.inv.runtimeDir, 'layer'),
      init: this.inv.init,
      procSys: this.inv.procSys,
    });
    try {
      await waitForSsh(h.ip, timeoutMs, async () => !(await isRunning(pid)));
    } catch (e) {
      const log = await readFile(p.logFile, 'utf8').catch(() => '');
      const tail = log.trim().split('\n').slice(-5).join(' | ');
      throw new Error(`${h.name}: boot failed: ${(e as Error).message}${tail ? ` (log: ${tail})` : ''}`);
    }
  }

  /** Stops the host's sshd listener (sessions already open keep running, as on a real host). */
  async sshdStop(ref: HostRef): Promise<void> {
    const h = this.host(ref);
    if (this.init === 'systemd') {
      await this.runOk(h, ['systemctl', 'stop', 'ssh.service']);
    } else {
      const pid = (await this.runOk(h, ['cat', '/run/sshd.pid'])).trim();
      await this.runOk(h, ['kill', pid]);
    }
    await waitForSshClosed(h.ip, 10_000);
  }

  async sshdStart(ref: HostRef): Promise<void> {
    const h = this.host(ref);
    if (this.init === 'systemd') await this.runOk(h, ['systemctl', 'start', 'ssh.service']);
    else await this.runOk(h, ['/usr/sbin/sshd', '-E', '/var/log/sshd.log']);
    await waitForSsh(h.ip, this.bootTimeout());
  }

  /** Takes the host's link down: packets to and from it are lost (connections time out). */
  async linkDown(ref: HostRef): Promise<void> {
    await linkDown(this.id, this.host(ref));
  }

  async linkUp(ref: HostRef): Promise<void> {
    await linkUp(this.id, this.host(ref));
  }

  /** Limits the host's link to kbit in each direction (tc tbf); 0 clears the limit. */
  async rateLimit(ref: HostRef, kbit: number): Promise<void> {
    await rateLimit(this.id, this.host(ref), kbit);
  }

  async clearRateLimit(ref: HostRef): Promise<void> {
    await rateLimit(this.id, this.host(ref), 0);
  }

  /**
   * "Reboots" a host: every process in it is killed, its init starts again; the filesystem is kept
   * (upper dir and /var/lib/containerd), /run and /tmp are fresh. Resolves when sshd answers.
   */
  async reboot(ref: HostRef): Promise<void> {
    await stopHost(this.paths(ref));
    await this.startHost(ref);
  }

  /** Reinstalls a host: killed, fresh (empty) upper dir and /var/lib/containerd, same identity and keys. */
  async wipe(ref: HostRef): Promise<void> {
    const p = this.paths(ref);
    await stopHost(p);
    await resetWritable(p);
    await this.startHost(ref);
  }

  /** Removes everything this fleet made. */
  async down(): Promise<void> {
    await teardown(this.id, this.inv.cgroupDirs);
  }
}

