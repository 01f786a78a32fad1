// The systemd fleet: systemd as PID 1 behaves like a VM's (enable --now, journalctl, survives a
// reboot), and Debian's containerd + runc run a hand-made image inside a host.
// Needs root (CI has it); if the fleet cannot start, every test here fails (never skips).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fleetUp, type Fleet, type FleetHost } from './index.js';
import { busyboxOciArchive, BUSYBOX_IMAGE } from './oci-image.js';
import { sshExec, traces } from './test-helpers.js';

const ID = 11;

const DEMO_UNIT = `[Unit]
Description=sealts fleet test unit
[Service]
ExecStart=/bin/sh -c 'echo demo started; exec sleep infinity'
[Install]
WantedBy=multi-user.target
`;

describe('systemd fleet', { timeout: 120_000 }, () => {
  let fleet: Fleet;
  let a: FleetHost;
  let b: FleetHost;

  before(async () => {
    fleet = await fleetUp({ id: ID, n: 2, init: 'systemd' });
    [a, b] = fleet.hosts as [FleetHost, FleetHost];
  });

  after(async () => {
    await fleet?.down();
  });

  it('boots systemd as PID 1 with only journald and ssh running, nothing failed', async () => {
    const r = await sshExec(fleet, a, 'readlink /proc/1/exe; systemctl is-system-running; systemctl list-units --state=running --type=service --no-legend --plain | cut -d" " -f1');
    assert.equal(r.stdout, '/usr/lib/systemd/systemd\nrunning\nssh.service\nsystemd-journald.service\n');
  });

  it("keeps the machine's devices out and mount propagation shared inside the host", async () => {
    // /dev must stay the host's own tmpfs: were it not a mount point, systemd would mount the
    // machine's devtmpfs (every disk) there
    const r = await sshExec(fleet, a, 'findmnt -n -o FSTYPE /dev; ls /dev | grep -c -E "^(vd|sd|nvme|loop)" || true; findmnt -n -o PROPAGATION /');
    assert.equal(r.stdout, 'tmpfs\n0\nshared\n');
  });

  it('enable --now starts a unit that is running again after a reboot, with its journal', async () => {
    const put = await sshExec(fleet, a, 'cat > /etc/systemd/system/demo.service && systemctl enable --now demo.service && systemctl is-active demo.service', { stdin: DEMO_UNIT });
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout.trim(), 'active');
    const firstPid = (await sshExec(fleet, a, 'systemctl show -p MainPID --value demo.service')).stdout.trim();
    assert.match(firstPid, /^[1-9]\d*$/);

    await fleet.reboot(a);
    const rebooted = await sshExec(fleet, a, 'systemctl is-active demo.service; systemctl show -p MainPID --value demo.service; journalctl -u demo.service --no-pager -o cat');
    const [state, mainPid, ...journal] = rebooted.stdout.trim().split('\n');
    assert.equal(state, 'active');
    assert.match(mainPid ?? '', /^[1-9]\d*$/);
    // one "demo started" per boot: the journal persists on the host's disk across the reboot
    assert.equal(journal.filter((l) => l === 'demo started').length, 2, journal.join(' | '));
    // the other host never saw the unit
    assert.equal((await fleet.run(b, ['systemctl', 'is-enabled', 'demo.service'])).code, 1);
  });

  it("leaves the machine's own enabled units disabled but enable-able (containerd)", async () => {
    assert.equal((await fleet.run(b, ['systemctl', 'is-enabled', 'containerd.service'])).stdout.trim(), 'disabled');
  });

  it('runs a container with ctr (containerd + runc) inside a host, memory limit in the host subtree', async () => {
    await fleet.runOk(b, ['systemctl', 'enable', '--now', 'containerd.service']);
    await fleet.runOk(b, ['ctr', 'images', 'import', '-'], { input: await busyboxOciArchive() });
    const r = await sshExec(fleet, b, `ctr run --rm --memory-limit 67108864 ${BUSYBOX_IMAGE} t1 /bin/busybox sh -c 'echo hello from a container; cat /proc/self/cgroup'`);
    assert.equal(r.code, 0, r.stderr);
    const [hello, ...cgroups] = r.stdout.trim().split('\n');
    assert.equal(hello, 'hello from a container');
    const memory = cgroups.find((l) => /:memory:/.test(l))?.split(':')[2];
    assert.ok(memory, r.stdout);
    // seen from the machine: the container's cgroup sits inside this host's subtree, with the limit
    const initPid = await fleet.initPid(b);
    const hostMemory = fleet.inventory.cgroupDirs.find((d) => d.includes('/memory/'))!;
    assert.ok(readFileSync(`/proc/${initPid}/cgroup`, 'utf8').includes(`/sealts-fleet-${ID}/${b.name}`));
    const run = await sshExec(fleet, b, `ctr run -d --memory-limit 67108864 ${BUSYBOX_IMAGE} t2 /bin/busybox sleep 60 && sleep 0.3 && cat /sys/fs/cgroup/memory/default/t2/memory.limit_in_bytes`);
    assert.equal(run.stdout.trim(), '67108864', run.stderr);
    const fromMachine = readFileSync(`${hostMemory}/${b.name}/default/t2/memory.limit_in_bytes`, 'utf8');
    assert.equal(fromMachine.trim(), '67108864');
    await fleet.runOk(b, ['ctr', 'task', 'kill', '-s', 'KILL', 't2']);
  });

  it('down removes hosts, containers and their cgroups', async () => {
    await fleet.down();
    assert.deepEqual(await traces(ID), {
      netns: [], links: [], mounts: [], pidFiles: [], cgroups: [], iptables: [], runtimeDir: false,
    });
  });
});
