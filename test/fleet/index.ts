// The emulated fleet: real OpenSSH hosts made of Linux namespaces on a bridge (see README.md).
//   const fleet = await fleetUp({ id: 10, n: 5, init: 'tini' });
//   ... ssh to fleet.hosts[i].ip with fleet.keyPath / fleet.users.root.password ...
//   await fleet.down();
import { ensureInotifyInstances } from './limits.js';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { must } from './exec.js';
import {
  FIRST_OCTET, MAX_HOSTS, bridgeName, cgroupGroupName, checkId, hostNameFor, netnsName, runtimeDir, stateDir,
  subnetPrefix, vethName,
} from './layout.js';
import { buildFleetLayer, buildIdentityLayer, newKeyPair, newUsers } from './template.js';
import { warnIfForwarding, createBridge, createHostLinks } from './network.js';
import { fleetCgroupDirs } from './cgroups.js';
import { resetWritable } from './host.js';
import { teardown } from './teardown.js';
import { step } from './debug.js';
import { Fleet, type FleetHost, type FleetOptions, type Inventory } from './fleet.js';
export { Fleet } from './fleet.js';
export type { FleetHost, FleetOptions, HostRunOptions, Inventory } from './fleet.js';
export type { RunResult } from './exec.js';
export type { FleetUsers, FleetUser, InitKind } from './template.js';

function validate(opts: FleetOptions): Required<FleetOptions> {
  checkId(opts.id);
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > MAX_HOSTS) {
    throw new Error(`fleet size must be 1..${MAX_HOSTS}, got ${opts.n}`);
  }
  const init = opts.init ?? 'tini';
  if (init !== 'tini' && init !== 'systemd') throw new Error(`fleet init must be tini or systemd, got ${String(init)}`);
  return {
    id: opts.id,
    n: opts.n,
    init,
    procSys: opts.procSys ?? 'ro',
    bootTimeoutMs: opts.bootTimeoutMs ?? (init === 'systemd' ? 120_000 : 60_000),
    // '' = the kernel's default; a size is only ever a number with a k/m/g suffix, or a percentage.
    tmpfsSize: /^(\d+[kmg]?|\d+%)?$/.test(opts.tmpfsSize ?? '') ? (opts.tmpfsSize ?? '') : badSize(opts.tmpfsSize!),
  };
}

function badSize(s: string): never {
  throw new Error(`fleet tmpfsSize must be like 20g or 50%, got ${JSON.stringify(s)}`);
}

/** Creates a fleet (after removing any leftovers of the same id) and waits until every sshd answers. */
export async function fleetUp(options: FleetOptions): Promise<Fleet> {
  const opts = validate(options);
  const { id } = opts;
  step('up: start');
  await teardown(id);
  step('up: leftovers removed');
  await warnIfForwarding();
  if (opts.init === 'systemd') await ensureInotifyInstances();

  const sd = stateDir(id);
  const rt = runtimeDir(id);
  const hosts: FleetHost[] = Array.from({ length: opts.n }, (_, i) => {
    const octet = FIRST_OCTET + i;
    const name = hostNameFor(octet);
    return { name, ip: `${subnetPrefix(id)}.${octet}`, octet, netns: netnsName(id, name), veth: vethName(id, octet) };
  });
  const users = newUsers();
  const rootKey = newKeyPair('ed25519', `sealts-fleet-${id}`);
  const inv: Inventory = {
    id,
    init: opts.init,
    procSys: opts.procSys,
    bridge: bridgeName(id),
    gateway: `${subnetPrefix(id)}.1`,
    subnet: `${subnetPrefix(id)}.0/24`,
    keyPath: path.join(sd, 'id_ed25519'),
    knownHostsPath: path.join(sd, 'known_hosts'),
    users,
    hosts,
    runtimeDir: rt,
    cgroupDirs: await fleetCgroupDirs(cgroupGroupName(id)),
  };
  const fleet = new Fleet(inv);

  try {
    await mkdir(path.join(sd, 'pids'), { recursive: true, mode: 0o700 });
    await mkdir(path.join(sd, 'logs'), { recursive: true });
    await writeFile(inv.keyPath, rootKey.private, { mode: 0o600 });
    await writeFile(`${inv.keyPath}.pub`, `${rootKey.public}\n`);
    // Written first, so a crash from here on is cleaned by `down` from the inventory too.
    await writeFile(path.join(sd, 'inventory.json'), JSON.stringify(inv, null, 2) + '\n', { mode: 0o600 });

    await mkdir(rt, { recursive: true });
    await must(['mount', '-t', 'tmpfs', '-o', `mode=700${opts.tmpfsSize ? `,size=${opts.tmpfsSize}` : ''}`, `sealts-fleet-${id}`, rt]);
    await createBridge(id);
    const [, knownHosts] = await Promise.all([
      Promise.all([
        buildFleetLayer({ dir: path.join(rt, 'layer'), init: opts.init, users, rootPublicKey: rootKey.public, hosts }),
        createHostLinks(id, hosts),
      ]),
      Promise.all(
        hosts.map(async (h) => {
          const p = fleet.paths(h);
          await mkdir(p.dir, { recursive: true });
          await resetWritable(p);
          return buildIdentityLayer(path.join(p.dir, 'identity'), h);
        }),
      ),
    ]);
    await writeFile(inv.knownHostsPath, knownHosts.flat().join('\n') + '\n');
    step('up: layers, links and identities ready');
    await Promise.all(hosts.map(async (h) => {
      await fleet.startHost(h, opts.bootTimeoutMs);
      step(`up: ${h.name} answers`);
    }));
    step('up: every sshd answers');
    return fleet;
  } catch (e) {
    await teardown(id, inv.cgroupDirs, { keepLogs: true }).catch(() => undefined);
    throw new Error(`${(e as Error).message} [boot logs kept in ${path.join(sd, 'logs')}]`, { cause: e });
  }
}

/** Attaches to a running fleet (e.g. one made by `make fleet-up`) from its inventory. */
export async function openFleet(id = 0): Promise<Fleet> {
  checkId(id);
  const file = path.join(stateDir(id), 'inventory.json');
  let inv: Inventory;
  try {
    inv = JSON.parse(await readFile(file, 'utf8')) as Inventory;
  } catch {
    throw new Error(`no fleet ${id}: ${file} missing (run make fleet-up ID=${id})`);
  }
  return new Fleet(inv);
}

/** Removes every trace of fleet `id`, running or crashed. */
export async function fleetDown(id: number): Promise<void> {
  checkId(id);
  let recorded: string[] = [];
  try {
    const inv = JSON.parse(await readFile(path.join(stateDir(id), 'inventory.json'), 'utf8')) as Inventory;
    recorded = inv.cgroupDirs;
  } catch {
    /* no inventory: teardown finds the leftovers by name */
  }
  await teardown(id, recorded);
}
