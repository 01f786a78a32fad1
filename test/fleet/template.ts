// The fleet's read-only layers, stacked over the machine's `/` in every host's overlay:
//   fleet layer (same for every host): users, sudoers, sshd drop-in, /etc/hosts, resolv.conf, hidden dirs;
//   identity layer (one per host): hostname, machine-id, ssh host keys.
// A host's upper dir starts empty, so `wipe` is "fresh upper dir" and the host keeps its identity
// (its known_hosts entries stay valid, like a VM reinstalled from the same image).
import { mkdir, writeFile, readdir, readlink, symlink, chmod, copyFile, chown, lstat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import ssh2 from 'ssh2';
import { must } from './exec.js';
import { REPO_ROOT, STATE_ROOT } from './layout.js';

const SPECIAL_FILES = path.join(REPO_ROOT, 'test', 'fleet', 'special-files.py');

export type InitKind = 'tini' | 'systemd';

export interface FleetUser {
  name: string;
  password: string;
  /** How `sudo` behaves for this user: root needs none, ops never asks, ops2 asks for its password. */
  sudo: 'root' | 'nopasswd' | 'password';
}

export interface FleetUsers {
  root: FleetUser;
  ops: FleetUser;
  ops2: FleetUser;
}

export function newUsers(): FleetUsers {
  const pw = (): string => randomBytes(12).toString('base64url');
  return {
    root: { name: 'root', password: pw(), sudo: 'root' },
    ops: { name: 'ops', password: pw(), sudo: 'nopasswd' },
    ops2: { name: 'ops2', password: pw(), sudo: 'password' },
  };
}

export interface KeyPair {
  private: string;
  public: string;
}

export function newKeyPair(type: 'ed25519' | 'ecdsa', comment: string): KeyPair {
  // ssh2's generator now and then writes an ed25519 key that neither ssh2 nor ssh-keygen can load
  // (8 in 3000 here; "error in libcrypto" from ssh-keygen): keep only keys that parse back.
  for (;;) {
    const k = type === 'ecdsa'
      ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256, comment })
      : ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (!(ssh2.utils.parseKey(k.private) instanceof Error)) return { private: k.private, public: k.public };
  }
}

const SSHD_DROP_IN = `# sealts fleet host: root by key and password, no DNS lookups, room for fan-out tests.
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
PermitRootLogin yes
PasswordAuthentication yes
PubkeyAuthentication yes
UseDNS no
MaxStartups 500:30:1000
MaxSessions 200
`;

/**
 * Overlay marks of a layer, collected and then made by one process
 * (special-files.py): a 0/0 character device hides a lower file; the opaque xattr hides a lower
 * dir's content.
 */
class SpecialFiles {
  private readonly lines: string[] = [];

  async whiteout(file: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    this.lines.push(JSON.stringify({ op: 'whiteout', path: file }));
  }

  async opaqueDir(dir: string, mode = 0o755): Promise<void> {
    await mkdir(dir, { recursive: true, mode });
    await chmod(dir, mode);
    this.lines.push(JSON.stringify({ op: 'opaque', path: dir }));
  }

  async make(): Promise<void> {
    await must([SPECIAL_FILES], { input: this.lines.join('\n') + '\n' });
  }
}

async function passwordHash(password: string): Promise<string> {
  return (await must(['openssl', 'passwd', '-6', '-stdin'], { input: `${password}\n` })).trim();
}

export interface FleetLayerSpec {
  dir: string;
  init: InitKind;
  users: FleetUsers;
  rootPublicKey: string;
  hosts: ReadonlyArray<{ name: string; ip: string }>;
}

/** Builds the layer every host of a fleet shares. */
export async function buildFleetLayer(spec: FleetLayerSpec): Promise<void> {
  const { dir, users } = spec;
  const etc = path.join(dir, 'etc');
  const special = new SpecialFiles();
  await mkdir(etc, { recursive: true });

  // Accounts: start from the machine's files (a host's upper dir must not edit the machine's /etc).
  for (const f of ['passwd', 'shadow', 'group', 'gshadow', 'subuid', 'subgid', 'login.defs']) {
    if (existsSync(`/etc/${f}`)) await copyFile(`/etc/${f}`, path.join(etc, f));
  }
  await special.opaqueDir(path.join(dir, 'home'));
  const [rootHash, opsHash, ops2Hash] = await Promise.all(
    [users.root, users.ops, users.ops2].map((u) => passwordHash(u.password)),
  );
  await must(['usermod', '--prefix', dir, '-p', rootHash!, 'root']);
  for (const [user, hash] of [[users.ops, opsHash!], [users.ops2, ops2Hash!]] as const) {
    await must(['useradd', '--prefix', dir, '-m', '-s', '/bin/bash', '-p', hash, user.name]);
  }

  // Every account accepts the fleet's root key; passwords work too.
  const authorized = `${spec.rootPublicKey}\n`;
  await special.opaqueDir(path.join(dir, 'root'), 0o700); // hide the machine's /root (profile, keys)
  for (const [home, user] of [['root', 'root'], ['home/ops', users.ops.name], ['home/ops2', users.ops2.name]] as const) {
    const sshDir = path.join(dir, home, '.ssh');
    await mkdir(sshDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(sshDir, 'authorized_keys'), authorized, { mode: 0o600 });
    if (user !== 'root') {
      const { uid, gid } = await lstat(path.join(dir, home));
      await chown(sshDir, uid, gid);
      await chown(path.join(sshDir, 'authorized_keys'), uid, gid);
    }
  }

  await mkdir(path.join(etc, 'sudoers.d'), { recursive: true });
  await writeFile(
    path.join(etc, 'sudoers.d', 'sealts-fleet'),
    `${users.ops.name} ALL=(ALL:ALL) NOPASSWD: ALL\n${users.ops2.name} ALL=(ALL:ALL) ALL\n`,
    { mode: 0o440 },
  );

  await mkdir(path.join(etc, 'ssh', 'sshd_config.d'), { recursive: true });
  await writeFile(path.join(etc, 'ssh', 'sshd_config.d', '00-sealts-fleet.conf'), SSHD_DROP_IN);
  // The machine's own host keys must not be readable (or served) by hosts.
  for (const f of await readdir('/etc/ssh')) {
    if (f.startsWith('ssh_host_')) await special.whiteout(path.join(etc, 'ssh', f));
  }

  // No DNS query leaves a host; names of the fleet resolve locally.
  await writeFile(path.join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  await writeFile(
    path.join(etc, 'hosts'),
    ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback', ...spec.hosts.map((h) => `${h.ip} ${h.name}`)].join('\n') + '\n',
  );

  // Hidden from hosts: the machine's /tmp and the fleet's state (private keys).
  await special.opaqueDir(path.join(dir, 'tmp'), 0o1777);
  await special.opaqueDir(path.join(dir, STATE_ROOT), 0o700);
  await special.whiteout(path.join(dir, 'etc', 'machine-id')); // replaced per host by the identity layer

  await mkdir(path.join(dir, 'var', 'lib', 'containerd'), { recursive: true });
  if (spec.init === 'systemd') await quietSystemd(dir, special);
  await special.make();
}

/**
 * A systemd host should boot like a minimal VM: journald and ssh only. The machine's own enabled
 * units (containerd, postgresql, timers ...) are disabled by hiding their enablement links, so a test
 * can still `systemctl enable --now` them; units that make no sense in a namespace host are masked.
 */
const MASKED_UNITS = [
  'getty.target', 'getty@tty1.service', 'getty-static.service', 'console-getty.service',
  'systemd-logind.service', 'dbus.service', 'dbus.socket',
  'systemd-ask-password-wall.path', 'systemd-ask-password-console.path',
  'systemd-update-utmp.service', 'systemd-update-utmp-runlevel.service',
  'systemd-timesyncd.service', 'systemd-pstore.service', 'systemd-firstboot.service',
  'systemd-random-seed.service', 'systemd-machine-id-commit.service', 'systemd-binfmt.service',
  'systemd-modules-load.service', 'kmod-static-nodes.service',
  'systemd-journald-audit.socket', 'systemd-hwdb-update.service', 'systemd-udevd.service',
  'systemd-udev-trigger.service', 'systemd-udevd-control.socket', 'systemd-udevd-kernel.socket',
  'sys-kernel-config.mount', 'sys-kernel-debug.mount', 'sys-kernel-tracing.mount', 'sys-fs-fuse-connections.mount',
  'dev-hugepages.mount', 'dev-mqueue.mount', 'proc-sys-fs-binfmt_misc.automount',
  'systemd-pcrphase.service', 'systemd-pcrphase-sysinit.service', 'systemd-repart.service',
  'e2scrub_reap.service', 'e2scrub_all.timer', 'fstrim.timer', 'apt-daily.timer', 'apt-daily-upgrade.timer',
  'man-db.timer', 'dpkg-db-backup.timer', 'systemd-tmpfiles-clean.timer', 'remote-fs.target',
  // the fleet layer already holds the users and /dev; nothing to remount on an overlay root
  'systemd-sysusers.service', 'systemd-tmpfiles-setup-dev.service', 'systemd-remount-fs.service',
  'systemd-initctl.socket',
];
const KEEP_ENABLED = new Set(['ssh.service', 'sshd.service']);

async function quietSystemd(dir: string, special: SpecialFiles): Promise<void> {
  const unitDir = path.join(dir, 'etc', 'systemd', 'system');
  await mkdir(unitDir, { recursive: true });
  for (const entry of await readdir('/etc/systemd/system', { withFileTypes: true })) {
    if (!entry.isDirectory() || !/\.(wants|requires)$/.test(entry.name)) continue;
    for (const unit of await readdir(path.join('/etc/systemd/system', entry.name))) {
      if (!KEEP_ENABLED.has(unit)) await special.whiteout(path.join(unitDir, entry.name, unit));
    }
  }
  for (const unit of MASKED_UNITS) {
    const link = path.join(unitDir, unit);
    if (!existsSync(link)) await symlink('/dev/null', link);
  }
  // Generators (fstab, getty, gpt-auto, cryptsetup, sysv, ...) have nothing to find in a host, but run as
  // a dozen execs at every boot and every daemon-reload; masking them halves a host's boot CPU.
  const generators = path.join(dir, 'etc', 'systemd', 'system-generators');
  await mkdir(generators, { recursive: true });
  for (const g of await readdir('/lib/systemd/system-generators').catch(() => [] as string[])) {
    await symlink('/dev/null', path.join(generators, g));
  }
  // Boot into multi-user.target, never graphical.
  const defaultTarget = path.join(unitDir, 'default.target');
  if (!existsSync(defaultTarget)) await symlink('/lib/systemd/system/multi-user.target', defaultTarget);
  // ssh.service must be wanted even if the machine has it disabled.
  const wants = path.join(unitDir, 'multi-user.target.wants');
  await mkdir(wants, { recursive: true });
  try {
    await readlink(path.join(wants, 'ssh.service'));
  } catch {
    await symlink('/lib/systemd/system/ssh.service', path.join(wants, 'ssh.service'));
  }
}

/** Builds one host's identity layer; returns its known_hosts lines. */
export async function buildIdentityLayer(dir: string, host: { name: string; ip: string }): Promise<string[]> {
  const etc = path.join(dir, 'etc');
  await mkdir(path.join(etc, 'ssh'), { recursive: true });
  const ed = newKeyPair('ed25519', `root@${host.name}`);
  const ec = newKeyPair('ecdsa', `root@${host.name}`);
  await Promise.all([
    writeFile(path.join(etc, 'hostname'), `${host.name}\n`),
    writeFile(path.join(etc, 'machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 }),
    writeFile(path.join(etc, 'ssh', 'ssh_host_ed25519_key'), ed.private, { mode: 0o600 }),
    writeFile(path.join(etc, 'ssh', 'ssh_host_ed25519_key.pub'), `${ed.public}\n`),
    writeFile(path.join(etc, 'ssh', 'ssh_host_ecdsa_key'), ec.private, { mode: 0o600 }),
    writeFile(path.join(etc, 'ssh', 'ssh_host_ecdsa_key.pub'), `${ec.public}\n`),
  ]);
  const keyOnly = (pub: string): string => pub.split(' ').slice(0, 2).join(' ');
  return [ed, ec].map((k) => `${host.ip},${host.name} ${keyOnly(k.public)}`);
}
