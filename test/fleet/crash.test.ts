// A runner that dies without `down` leaves a fleet behind; `up` of the same id and `down` (even with
// the state dir lost) must remove every trace. Also exercises the CLI behind `make fleet-up/down`.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fleetDown, fleetUp, openFleet } from './index.js';
import { run } from './exec.js';
import { REPO_ROOT, stateDir } from './layout.js';
import { alive, fleetPids, sshExec, traces } from './test-helpers.js';

const ID = 12;
const CLI = ['node', '--import', 'tsx', path.join(REPO_ROOT, 'test', 'fleet', 'cli.ts')];
const NOTHING = { netns: [], links: [], mounts: [], pidFiles: [], cgroups: [], iptables: [], runtimeDir: false };

describe('fleet after a crashed runner', { timeout: 120_000 }, () => {
  after(async () => {
    await fleetDown(ID);
  });

  it('up cleans the leftovers of the same id first', async () => {
    // The CLI process exits with its hosts still running: exactly what a crashed test runner leaves.
    const up = await run([...CLI, 'up', '--n', '2', '--id', String(ID)], { timeoutMs: 60_000 });
    assert.equal(up.code, 0, up.stderr);
    const orphaned = await openFleet(ID);
    const oldPids = await fleetPids(orphaned);
    // default procSys 'ro': kernel-wide sysctls read-only in the host
    assert.match(await orphaned.runOk(orphaned.hosts[0]!, ['cat', '/proc/mounts']), /^proc \/proc\/sys proc ro/m);
    assert.ok(oldPids.every(alive));

    const fleet = await fleetUp({ id: ID, n: 3, procSys: 'rw' });
    assert.deepEqual(oldPids.filter(alive), []);
    // procSys 'rw' (for a kubelet that sets vm.* / kernel.*): no read-only /proc/sys mount in the host
    assert.doesNotMatch(await fleet.runOk(fleet.hosts[0]!, ['cat', '/proc/mounts']), /^proc \/proc\/sys /m);
    const names = await Promise.all(fleet.hosts.map((h) => sshExec(fleet, h, 'hostname')));
    assert.deepEqual(names.map((r) => r.stdout.trim()), ['host-11', 'host-12', 'host-13']);
    assert.equal((await traces(ID)).netns.length, 3);
  });

  it('down finds every trace by fleet id even when the state dir is gone', async () => {
    const fleet = await openFleet(ID);
    const pids = await fleetPids(fleet);
    await rm(stateDir(ID), { recursive: true, force: true }); // pid files and inventory lost
    const down = await run([...CLI, 'down', '--id', String(ID)], { timeoutMs: 60_000 });
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(pids.filter(alive), []);
    assert.deepEqual(await traces(ID), NOTHING);
  });

  it('down of a fleet that does not exist is a no-op', async () => {
    await fleetDown(ID);
    assert.deepEqual(await traces(ID), NOTHING);
  });
});
