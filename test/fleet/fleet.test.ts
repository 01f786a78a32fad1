// The tini fleet: 5 hosts, SSH by key and password, isolation, sudo, every fault, clean teardown.
// Needs root (CI has it); if the fleet cannot start, every test here fails (never skips).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fleetUp, type Fleet, type FleetHost } from './index.js';
import { run } from './exec.js';
import { sshExec, traces, fleetPids, alive } from './test-helpers.js';

const ID = 10;

function connectOutcome(ip: string, timeoutMs: number): Promise<'banner' | 'refused' | 'timeout' | 'other'> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: ip, port: 22 });
    const done = (r: 'banner' | 'refused' | 'timeout' | 'other'): void => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => done('timeout'));
    sock.once('data', (d) => done(d.toString().startsWith('SSH-') ? 'banner' : 'other'));
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  });
}

describe('tini fleet', { timeout: 120_000 }, () => {
  let fleet: Fleet;
  let hosts: readonly FleetHost[];
  const h = (i: number): FleetHost => hosts[i]!;

  before(async () => {
    const started = Date.now();
    fleet = await fleetUp({ id: ID, n: 5, init: 'tini' });
    hosts = fleet.hosts;
    // The brief: five hosts in a couple of seconds. Generous bound for a loaded CI machine.
    assert.ok(Date.now() - started < 30_000, `fleetUp took ${Date.now() - started} ms`);
  });

  after(async () => {
    await fleet?.down();
  });

  it('names hosts and addresses as documented', () => {
    assert.deepEqual(
      hosts.map((x) => [x.name, x.ip]),
      [11, 12, 13, 14, 15].map((o) => [`host-${o}`, `198.18.${ID}.${o}`]),
    );
  });

  it('runs hostname over SSH on every host with the root key', async () => {
    const names = await Promise.all(hosts.map((x) => sshExec(fleet, x, 'hostname')));
    assert.deepEqual(names.map((r) => r.stdout.trim()), hosts.map((x) => x.name));
  });

  it('runs hostname over SSH on every host with the root password', async () => {
    const names = await Promise.all(hosts.map((x) => sshExec(fleet, x, 'hostname', { password: fleet.users.root.password })));
    assert.deepEqual(names.map((r) => r.stdout.trim()), hosts.map((x) => x.name));
  });

  it('rejects a wrong password', async () => {
    await assert.rejects(sshExec(fleet, h(0), 'true', { password: 'not-the-password' }), /authentication/i);
  });

  it('works with the system OpenSSH client, strict host keys, key and password (sshpass)', async () => {
    const byKey = await run([...fleet.sshArgv(h(1)), 'hostname']);
    assert.equal(byKey.code, 0, byKey.stderr);
    assert.equal(byKey.stdout.trim(), h(1).name);
    const byPassword = await run([
      'sshpass', '-d', '0', 'ssh', '-o', `UserKnownHostsFile=${fleet.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', `root@${h(2).ip}`, 'hostname',
    ], { input: `${fleet.users.root.password}\n` });
    assert.equal(byPassword.code, 0, byPassword.stderr);
    assert.equal(byPassword.stdout.trim(), h(2).name);
  });

  it('gives every host its own machine-id and host keys', async () => {
    const ids = await Promise.all(hosts.map((x) => fleet.runOk(x, ['cat', '/etc/machine-id'])));
    assert.equal(new Set(ids).size, hosts.length);
    assert.notEqual(ids[0], await readFile('/etc/machine-id', 'utf8').catch(() => ''));
    const keys = (await readFile(fleet.knownHostsPath, 'utf8')).trim().split('\n').map((l) => l.split(' ')[2]);
    assert.equal(new Set(keys).size, hosts.length * 2);
  });

  it('keeps each host filesystem private', async () => {
    const w = await sshExec(fleet, h(0), 'mkdir -p /etc/kubernetes && echo x > /etc/kubernetes/x && echo "#!/bin/sh" > /usr/bin/kubeadm && chmod +x /usr/bin/kubeadm');
    assert.equal(w.code, 0, w.stderr);
    assert.equal((await fleet.run(h(0), ['test', '-f', '/etc/kubernetes/x'])).code, 0);
    for (const other of hosts.slice(1)) {
      assert.equal((await fleet.run(other, ['test', '-e', '/etc/kubernetes/x'])).code, 1, other.name);
      assert.equal((await fleet.run(other, ['test', '-e', '/usr/bin/kubeadm'])).code, 1, other.name);
    }
    assert.equal(existsSync('/etc/kubernetes/x'), false);
    assert.equal(existsSync('/usr/bin/kubeadm'), false);
  });

  it('hides the machine /root, /tmp and the fleet private key from hosts', async () => {
    const r = await sshExec(fleet, h(0), `ls -A /root; ls -A /tmp; cat ${fleet.keyPath}`);
    assert.equal(r.stdout.trim(), '.ssh');
    assert.match(r.stderr, /No such file/);
  });

  it('gives ops passwordless sudo', async () => {
    const r = await sshExec(fleet, h(0), 'id -un && sudo -n id -u', { user: 'ops' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ops\n0\n');
  });

  it('makes ops2 sudo ask for its password', async () => {
    const refused = await sshExec(fleet, h(0), 'sudo -n id -u', { user: 'ops2' });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /password is required/);
    const wrong = await sshExec(fleet, h(0), "sudo -S -p '' id -u", { user: 'ops2', stdin: 'wrong\n' });
    assert.notEqual(wrong.code, 0);
    const ok = await sshExec(fleet, h(0), "sudo -S -p '' id -u", { user: 'ops2', stdin: `${fleet.users.ops2.password}\n` });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '0');
  });

  it('lets ops2 log in with its password', async () => {
    const r = await sshExec(fleet, h(3), 'id -un', { user: 'ops2', password: fleet.users.ops2.password });
    assert.equal(r.stdout.trim(), 'ops2');
  });

  it('connects hosts to each other and to the machine, routes nothing out', async () => {
    // bash /dev/tcp: no extra tools needed in the host; the IP is an argument, not spliced into the script.
    const r = await fleet.run(h(0), ['bash', '-c', 'exec 3<>/dev/tcp/$1/22 && head -c 4 <&3', 'probe', h(4).ip]);
    assert.equal(r.stdout, 'SSH-');
    assert.equal((await fleet.runOk(h(0), ['ip', 'route', 'show', 'default'])).trim().split(' ')[2], fleet.gateway);
    assert.equal((await fleet.runOk(h(0), ['cat', '/etc/resolv.conf'])).trim(), 'nameserver 127.0.0.1');
    assert.match(await fleet.runOk(h(0), ['getent', 'hosts', 'host-13']), new RegExp(`^${h(2).ip.replace(/\./g, '\\.')} `));
    assert.equal((await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim(), '0');
    const rules = (await traces(ID)).iptables;
    assert.equal(rules.length, 2, `FORWARD DROP rules for the bridge: ${rules.join(' | ')}`);
  });

  it("keeps the machine's kernel settings read-only, the host's network ones writable", async () => {
    // the machine's own value, so that even a failing test changes nothing
    const swappiness = (await readFile('/proc/sys/vm/swappiness', 'utf8')).trim();
    const vm = await fleet.run(h(0), ['sysctl', '-w', `vm.swappiness=${swappiness}`]);
    assert.notEqual(vm.code, 0);
    assert.match(vm.stderr, /Read-only|permission denied/);
    // each host has its own network stack: turning forwarding on in one (as kube-proxy needs)
    // changes neither the machine nor the other hosts
    await fleet.runOk(h(1), ['sysctl', '-w', 'net.ipv4.ip_forward=1']);
    assert.equal((await fleet.runOk(h(2), ['cat', '/proc/sys/net/ipv4/ip_forward'])).trim(), '0');
    assert.equal((await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim(), '0');
    await fleet.runOk(h(1), ['sysctl', '-w', 'net.ipv4.ip_forward=0']);
  });

  it('gives each host its own copy of the kernel settings a kubelet sets', async () => {
    const machine = (await readFile('/proc/sys/kernel/panic', 'utf8')).trim();
    assert.equal((await fleet.runOk(h(1), ['cat', '/proc/sys/kernel/panic'])).trim(), machine);
    await fleet.runOk(h(1), ['sysctl', '-w', 'kernel.panic=10', 'vm.overcommit_memory=1']);
    assert.equal((await fleet.runOk(h(1), ['sysctl', '-n', 'kernel.panic'])).trim(), '10');
    assert.equal((await fleet.runOk(h(2), ['sysctl', '-n', 'kernel.panic'])).trim(), machine);
    assert.equal((await readFile('/proc/sys/kernel/panic', 'utf8')).trim(), machine);
  });

  it('puts each host in its own cgroup subtree and namespace', async () => {
    const own = await fleet.runOk(h(0), ['cat', '/proc/self/cgroup']);
    assert.match(own, /^\d+:memory:\/$/m); // the namespace root is the host's subtree
    const initPid = await fleet.initPid(h(0));
    const outside = await readFile(`/proc/${initPid}/cgroup`, 'utf8');
    assert.match(outside, new RegExp(`:memory:.*/sealts-fleet-${ID}/${h(0).name}$`, 'm'));
  });

  it('sshdStop refuses new connections, sshdStart accepts them again', async () => {
    await fleet.sshdStop(h(1));
    assert.equal(await connectOutcome(h(1).ip, 2000), 'refused');
    await assert.rejects(sshExec(fleet, h(1), 'true'), /ECONNREFUSED/);
    await fleet.sshdStart(h(1));
    assert.equal((await sshExec(fleet, h(1), 'hostname')).stdout.trim(), h(1).name);
  });

  it('linkDown makes the host unreachable (timeouts), linkUp restores it', async () => {
    await fleet.linkDown(h(2));
    assert.equal(await connectOutcome(h(2).ip, 1500), 'timeout');
    await assert.rejects(sshExec(fleet, h(2), 'true', { readyTimeoutMs: 1500 }));
    await fleet.linkUp(h(2));
    assert.equal((await sshExec(fleet, h(2), 'hostname')).stdout.trim(), h(2).name);
  });

  it('rateLimit slows the link with tbf, clearing restores full speed', async () => {
    const bytes = 256 * 1024;
    const timed = async (): Promise<number> => {
      const t = Date.now();
      const r = await sshExec(fleet, h(3), `head -c ${bytes} /dev/zero`);
      assert.equal(r.stdout.length, bytes);
      return Date.now() - t;
    };
    await timed(); // warm up (first login costs more)
    await fleet.rateLimit(h(3), 1024); // 1 Mbit/s: 256 KiB cannot arrive in less than about 2.1 s
    const qdisc = (await run(['tc', 'qdisc', 'show', 'dev', h(3).veth])).stdout;
    assert.match(qdisc, /tbf .*rate (1024Kbit|1Mbit)/);
    const slow = await timed();
    await fleet.clearRateLimit(h(3));
    const fastAgain = await timed();
    // physics, not machine speed: the bucket's burst lets a few KiB through early, hence 80%
    assert.ok(slow > 0.8 * ((bytes * 8) / 1024_000) * 1000, `limited transfer took ${slow} ms`);
    assert.ok(fastAgain < slow, `cleared ${fastAgain} ms, limited ${slow} ms`);
    assert.doesNotMatch((await run(['tc', 'qdisc', 'show', 'dev', h(3).veth])).stdout, /tbf/);
  });

  it('reboot kills every process, keeps the filesystem, starts sshd again', async () => {
    await fleet.runOk(h(4), ['sh', '-c', 'echo kept > /etc/marker && echo gone > /run/marker']);
    const oldInit = await fleet.initPid(h(4));
    const oldPids = await fleetPids(fleet);
    await fleet.reboot(h(4));
    assert.equal(alive(oldInit), false);
    assert.notEqual(await fleet.initPid(h(4)), oldInit);
    assert.equal((await sshExec(fleet, h(4), 'cat /etc/marker; test -e /run/marker || echo run-fresh')).stdout, 'kept\nrun-fresh\n');
    // only the rebooted host's processes were replaced
    const survivors = oldPids.filter(alive);
    const others = (await fleetPids(fleet)).filter((p) => oldPids.includes(p));
    assert.deepEqual(survivors.sort(), others.sort());
  });

  it('wipe gives a fresh filesystem with the same identity', async () => {
    await fleet.runOk(h(0), ['test', '-f', '/etc/kubernetes/x']);
    await fleet.wipe(h(0));
    assert.equal((await fleet.run(h(0), ['test', '-e', '/etc/kubernetes/x'])).code, 1);
    assert.equal((await fleet.run(h(0), ['test', '-e', '/usr/bin/kubeadm'])).code, 1);
    // same host keys (strict check passes) and hostname
    assert.equal((await sshExec(fleet, h(0), 'hostname')).stdout.trim(), h(0).name);
  });

  it('down leaves nothing behind', async () => {
    const pids = await fleetPids(fleet);
    const during = await traces(ID);
    assert.equal(during.netns.length, 5);
    assert.equal(during.links.length, 6);
    assert.ok(during.mounts.length > 0 && during.pidFiles.length === 5 && during.cgroups.length > 0);
    await fleet.down();
    assert.deepEqual(pids.filter(alive), [], 'processes left');
    assert.deepEqual(await traces(ID), {
      netns: [], links: [], mounts: [], pidFiles: [], cgroups: [], iptables: [], runtimeDir: false,
    });
    assert.equal(existsSync(fleet.keyPath), false);
  });
});
