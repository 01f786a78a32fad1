// iptables VIP on real systemd fleet hosts (id 42): two "masters" serve TLS on :6443 with
// openssl s_server, a node reaches them through the VIP, and the check really verifies the chain
// and the name. Also: auto mode picks iptables on this kernel, rules survive a reboot, updates
// follow master changes, removal leaves nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { checkHostsMapping, checkVip, removeVip, resolveVipMode, setupVip } from '../../pkg/vip/index.js';
import { HostError } from '../../pkg/errors/errors.js';
import { fleetExec } from '../runtime/fleet-exec.js';
import { upperSnapshot, snapshotDiff } from '../e2e/upper-snapshot.js';
import { serverCert, testCa, type TestCa } from './test-pki.js';

let fleet: Fleet;
let ca: TestCa;
let otherCa: TestCa;
let m1: FleetHost, m2: FleetHost, node: FleetHost;
// An unused address of the fleet's own subnet (id 42): no traffic to any other range.
const VIP = '198.18.42.200';

async function serve(h: FleetHost, crt: string, key: string): Promise<void> {
  await fleet.runOk(h, ['sh', '-c', 'mkdir -p /srv/tls && cat > /srv/tls/s.crt'], { input: crt });
  await fleet.runOk(h, ['sh', '-c', 'cat > /srv/tls/s.key'], { input: key });
  await fleet.run(h, ['systemctl', 'stop', 'fake-apiserver']);
  await fleet.run(h, ['systemctl', 'reset-failed', 'fake-apiserver']);
  await fleet.runOk(h, ['systemd-run', '--unit', 'fake-apiserver', 'openssl', 's_server', '-accept', '6443', '-cert', '/srv/tls/s.crt', '-key', '/srv/tls/s.key', '-www', '-quiet']);
  for (let i = 0; i < 50; i++) {
    if ((await fleet.run(h, ['sh', '-c', 'ss -ltn | grep -q ":6443 "'])).code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${h.name}: fake apiserver did not listen`);
}

before(async () => {
  ca = await testCa();
  otherCa = await testCa();
  fleet = await fleetUp({ id: 42, n: 3, init: 'systemd' });
  [m1, m2, node] = fleet.hosts as [FleetHost, FleetHost, FleetHost];
  const good = await serverCert(ca, 'good', ['apiserver.cluster.local', 'kubernetes']);
  await serve(m1, good.crt, good.key);
  await serve(m2, good.crt, good.key);
});

after(async () => {
  await fleet?.down();
  for (const c of [ca, otherCa]) if (c) await rm(c.dir, { recursive: true, force: true });
});

test('auto picks iptables on a kernel without ip_vs and says so', async () => {
  const choice = await resolveVipMode(fleetExec(fleet, node), 'auto');
  assert.deepEqual(choice, { mode: 'iptables', reason: 'auto: the kernel has no ip_vs module, using iptables DNAT' });
  assert.equal((await resolveVipMode(fleetExec(fleet, node), 'ipvs')).mode, 'ipvs');
});

test('iptables VIP: the node reaches both masters through the VIP, verified TLS; wrong CA or name fails', async () => {
  const x = fleetExec(fleet, node);
  const pristine = await upperSnapshot(fleet, node);
  await assert.rejects(checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') }), HostError, 'no VIP yet: fails');

  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] }); // idempotent
  const hooks = await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'OUTPUT']);
  assert.equal(hooks.split('\n').filter((l) => l.includes('SEALTS-VIP')).length, 1, 'hooked once');
  await checkHostsMapping(x, VIP);
  await checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') });

  await assert.rejects(
    checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(otherCa.caCrt, 'utf8') }),
    (e: Error) => e instanceof HostError && e.message.startsWith(`${node.ip}: vip check: TLS to ${VIP}:6443`),
  );
  // a master whose certificate lacks apiserver.cluster.local: every handshake lands there now
  const wrongName = await serverCert(ca, 'wrongname', ['kubernetes']);
  await serve(m2, wrongName.crt, wrongName.key);
  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m2.ip] });
  await assert.rejects(checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') }), /hostname mismatch|verify error/i);
  // masters change: only m1 now, and the check passes again
  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip] });
  await checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') });
  assert.doesNotMatch(await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']), new RegExp(m2.ip.replace(/\./g, '\\.')));

  // boot: the unit restores the rules
  await fleet.reboot(node);
  // reboot resolves when sshd answers; wait for boot to finish (degraded is fine) before looking
  await fleet.run(node, ['timeout', '60', 'systemctl', 'is-system-running', '--wait']);
  assert.equal((await fleet.runOk(node, ['systemctl', 'is-active', 'sealts-vip.service'])).trim(), 'active');
  assert.match(await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']), new RegExp(`--to-destination ${m1.ip}:6443`));
  await checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') });

  await removeVip(x, { vip: VIP, port: 6443, masters: [m1.ip] });
  assert.doesNotMatch(await fleet.runOk(node, ['iptables-save', '-t', 'nat']), /SEALTS-VIP/);
  const diff = snapshotDiff(pristine, await upperSnapshot(fleet, node));
  assert.deepEqual(diff, [], diff.join('\n'));
});
