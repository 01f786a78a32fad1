// iptables VIP on real systemd fleet hosts (id 42): two "masters" serve TLS on :6443 with
// openssl s_server, a node reaches them through the VIP, and the check really verifies the chain
// and the name. Also: auto mode picks iptables on this kernel, rules survive a reboot, updates
// follow master changes, removal leaves nothing. Then ipvs mode on the same node, against the
// ipvsadm and ip stand-ins of this folder (this kernel has no ip_vs and no dummy links): the real
// unit, the real health checks (curl to the masters' :6443), mode switches and removal.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { checkHostsMapping, checkVip, chooseVipMode, removeVip, setupVip, vipCurrent, VIP_TRACKED } from '../../pkg/vip/index.js';
import { gatherFacts } from '../../pkg/host/facts.js';
import type { HostExec } from '../../pkg/host/exec.js';
import { HostError } from '../../pkg/errors/errors.js';
import { fleetExec } from '../runtime/fleet-exec.js';
import { upperSnapshot, snapshotDiff } from '../e2e/upper-snapshot.js';
import { serverCert, testCa, type TestCa } from './test-pki.js';

let fleet: Fleet;
let ca: TestCa;
let otherCa: TestCa;
let m1: FleetHost, m2: FleetHost, node: FleetHost;
let good: { crt: string; key: string };
// An unused address of the fleet's own subnet (id 42): no traffic to any other range.
const VIP = '198.18.42.200';

/** The certificate and key the fake apiservers serve. */
async function installCert(h: FleetHost, crt: string, key: string): Promise<void> {
  await fleet.runOk(h, ['sh', '-c', 'mkdir -p /srv/tls && cat > /srv/tls/s.crt'], { input: crt });
  await fleet.runOk(h, ['sh', '-c', 'cat > /srv/tls/s.key'], { input: key });
}

/** (Re)start the fake-apiserver unit with `argv` and wait until it listens on :6443. */
async function startFakeApiserver(h: FleetHost, argv: string[]): Promise<void> {
  await fleet.run(h, ['systemctl', 'stop', 'fake-apiserver']);
  await fleet.run(h, ['systemctl', 'reset-failed', 'fake-apiserver']);
  await fleet.runOk(h, ['systemd-run', '--unit', 'fake-apiserver', ...argv]);
  for (let i = 0; i < 50; i++) {
    if ((await fleet.run(h, ['sh', '-c', 'ss -ltn | grep -q ":6443 "'])).code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${h.name}: fake apiserver did not listen`);
}

async function serve(h: FleetHost, crt: string, key: string): Promise<void> {
  await installCert(h, crt, key);
  await startFakeApiserver(h, ['openssl', 's_server', '-accept', '6443', '-cert', '/srv/tls/s.crt', '-key', '/srv/tls/s.key', '-www', '-quiet']);
}

before(async () => {
  ca = await testCa();
  otherCa = await testCa();
  fleet = await fleetUp({ id: 42, n: 3, init: 'systemd' });
  [m1, m2, node] = fleet.hosts as [FleetHost, FleetHost, FleetHost];
  good = await serverCert(ca, 'good', ['apiserver.cluster.local', 'kubernetes']);
  await serve(m1, good.crt, good.key);
  await serve(m2, good.crt, good.key);
});

after(async () => {
  await fleet?.down();
  for (const c of [ca, otherCa]) if (c) await rm(c.dir, { recursive: true, force: true });
});

test('auto picks iptables on a kernel without ip_vs and says so', async () => {
  const facts = await gatherFacts(fleetExec(fleet, node));
  assert.equal(facts.ipvs, false, 'this kernel has no ip_vs');
  assert.deepEqual(chooseVipMode('auto', facts).mode, 'iptables');
  assert.match(chooseVipMode('auto', facts).reason, /^auto: the node lacks the ip_vs kernel module/);
  assert.match(chooseVipMode('ipvs', facts).problem!, /vip\.mode ipvs: the node lacks the ip_vs kernel module/);
});

test('iptables VIP: the node reaches both masters through the VIP, verified TLS; wrong CA or name fails', async (t) => {
  const x = fleetExec(fleet, node);
  removeVipAfter(t, x);
  const pristine = await upperSnapshot(fleet, node);
  await assert.rejects(checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') }), HostError, 'no VIP yet: fails');

  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] }); // idempotent
  const hooks = await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'OUTPUT']);
  assert.equal(hooks.split('\n').filter((l) => l.includes('SEALTS-VIP')).length, 1, 'hooked once');
  await checkHostsMapping(x, VIP);
  await checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') });
  // the node's facts say it runs this VIP, so a re-apply leaves it alone; not for other masters or mode
  const both = { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] } as const;
  const facts = await gatherFacts(x, VIP_TRACKED);
  assert.ok(vipCurrent(facts, both), JSON.stringify({ sums: facts.fileSums, units: facts.activeUnits, hosts: facts.hostsEntries }));
  assert.equal(vipCurrent(facts, { ...both, masters: [m1.ip] }), false, 'another set of masters');
  assert.equal(vipCurrent(facts, { ...both, mode: 'ipvs' }), false, 'another mode');
  assert.equal(vipCurrent(facts, { ...both, vip: '198.18.42.201' }), false, 'another VIP');
  // the watch puts back a hook someone flushed, without sealts
  await fleet.runOk(node, ['iptables', '-w', '-t', 'nat', '-F', 'OUTPUT']);
  await until('the hook back', async () => (await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'OUTPUT'])).includes('SEALTS-VIP'));
  await checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') });
  await fleet.runOk(node, ['systemctl', 'stop', 'sealts-vip.service']);
  assert.equal(vipCurrent(await gatherFacts(x, VIP_TRACKED), both), false, 'the unit stopped');
  await fleet.runOk(node, ['systemctl', 'start', 'sealts-vip.service']);

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
  assert.doesNotMatch(await fleet.runOk(node, ['iptables-save']), /SEALTS-VIP/);
  const diff = snapshotDiff(pristine, await upperSnapshot(fleet, node));
  assert.deepEqual(diff, [], diff.join('\n'));
});

/** A TLS listener that serves each connection in its own process, as an apiserver does (and /readyz). */
async function serveConcurrently(h: FleetHost, crt: string, key: string): Promise<void> {
  await installCert(h, crt, key);
  await fleet.runOk(h, ['sh', '-c', 'cat > /srv/tls/reply'], { input: "printf 'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok'\n" });
  await startFakeApiserver(h, ['socat', 'OPENSSL-LISTEN:6443,fork,reuseaddr,cert=/srv/tls/s.crt,key=/srv/tls/s.key,verify=0', 'EXEC:sh /srv/tls/reply']);
}

// Eight connections held open through the VIP; at each go file, one byte on each, then another a
// second later: the second write fails on a connection that was reset in between. (A file, not
// systemd-run's argument: systemd would expand its $ words.)
const CLIENT = [
  "trap '' PIPE",
  'd=/run/vip-client fds=()',
  'for i in 1 2 3 4 5 6 7 8; do exec {fd}<>"/dev/tcp/$1/6443" || exit 1; fds+=("$fd"); done',
  'echo "${#fds[@]}" > "$d/open"',
  'for round in 1 2; do',
  '  until [ -e "$d/go$round" ]; do sleep 0.1; done',
  '  for fd in "${fds[@]}"; do printf x >&"$fd"; done 2>/dev/null',
  '  sleep 1; dead=0',
  '  for fd in "${fds[@]}"; do printf x >&"$fd" || dead=$((dead + 1)); done 2>/dev/null',
  '  echo "$dead" > "$d/dead$round"',
  'done',
  'sleep 600',
].join('\n');

test('iptables VIP: a master that hangs holding connections gets no new ones, its established ones move to a master that answers, and it is back when it answers', async (t) => {
  const x = fleetExec(fleet, node);
  removeVipAfter(t, x);
  const pristine = await upperSnapshot(fleet, node);
  for (const m of [m1, m2]) await serveConcurrently(m, good.crt, good.key);
  const dir = '/run/vip-client';
  const file = async (name: string) => (await fleet.run(node, ['cat', `${dir}/${name}`])).stdout.trim();
  try {
    await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
    await fleet.runOk(node, ['sh', '-c', 'mkdir -p "$1" && cat > "$1/client.sh"', 'sh', dir], { input: CLIENT });
    await fleet.runOk(node, ['systemd-run', '--unit', 'vip-client', 'bash', `${dir}/client.sh`, VIP]);
    await until('the client holds its connections', async () => (await file('open')) === '8');
    // which of them m2 holds: its side of each, by the client's port
    const ports = new Set((await fleet.runOk(node, ['ss', '-Htn', 'state', 'established', 'dst', VIP])).split('\n').map((l) => l.trim().split(/\s+/)[2]?.split(':')[1]).filter(Boolean));
    assert.equal(ports.size, 8, 'eight client connections through the VIP');
    const onM2 = (await fleet.runOk(m2, ['ss', '-Htn', 'state', 'established', 'sport', '=', ':6443'])).split('\n').filter((l) => ports.has(l.trim().split(/\s+/)[3]?.split(':')[1] ?? '')).length;
    assert.ok(onM2 > 0 && onM2 < 8, `the VIP spread the connections over both masters (${onM2} on m2)`);

    await fleet.runOk(node, ['touch', `${dir}/go1`]);
    await until('round 1', async () => (await file('dead1')) !== '');
    assert.equal(await file('dead1'), '0', 'every master answers: no connection is reset');

    // m2 hangs: its kernel still holds the connections (and accepts new ones), nothing answers
    await fleet.runOk(m2, ['systemctl', 'kill', '--kill-whom=main', '--signal=STOP', 'fake-apiserver']);
    await until('m2 left out', async () => !(await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP'])).includes(m2.ip));
    const trackedToM2 = async () => (await fleet.runOk(node, ['sh', '-c', 'conntrack -L -p tcp --orig-dst "$1" --dport 6443 --reply-src "$2" 2>/dev/null | grep -c ESTABLISHED || true', 'sh', VIP, m2.ip])).trim();
    await until("m2's connections forgotten", async () => (await trackedToM2()) === '0');
    await fleet.runOk(node, ['touch', `${dir}/go2`]);
    await until('round 2', async () => (await file('dead2')) !== '');
    assert.equal(Number(await file('dead2')), onM2, "exactly m2's connections are reset (by m1, where their next packet went); m1's still carry data");

    // m2 answers again: new connections reach it, nothing is reset any more
    await fleet.runOk(m2, ['systemctl', 'kill', '--kill-whom=main', '--signal=CONT', 'fake-apiserver']);
    await until('m2 back', async () => (await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP'])).includes(m2.ip));
  } finally {
    await fleet.run(node, ['systemctl', 'stop', 'vip-client']);
    await fleet.run(node, ['rm', '-rf', dir]);
    await fleet.run(m2, ['systemctl', 'kill', '--kill-whom=main', '--signal=CONT', 'fake-apiserver']);
    for (const m of [m1, m2]) await serve(m, good.crt, good.key);
  }
  await removeVip(x, { vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  assert.doesNotMatch(await fleet.runOk(node, ['iptables-save']), /SEALTS-VIP/);
  const diff = snapshotDiff(pristine, await upperSnapshot(fleet, node));
  assert.deepEqual(diff, [], diff.join('\n'));
});

/** A test that sets up the VIP removes it when it ends, failed or not, so the next one starts clean. */
function removeVipAfter(t: TestContext, x: HostExec): void {
  t.after(() => removeVip(x, { vip: VIP, port: 6443, masters: [m1.ip, m2.ip] }).catch(() => undefined));
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Poll `f` until it returns true (the watch acts every 2 s). */
async function until(what: string, f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) if (await f()) return;
  assert.fail(`timed out waiting for ${what}`);
}

test('ipvs VIP (ipvsadm and ip stand-ins): virtual server and every master, health-checked by the unit; mode switches; removal leaves nothing', async (t) => {
  const x = fleetExec(fleet, node);
  removeVipAfter(t, x);
  // /usr/local/sbin comes first on the PATH of systemd units and of fleet.run.
  for (const [name, file] of [['ipvsadm', 'ipvsadm-standin'], ['ip', 'ip-standin']] as const) {
    await fleet.runOk(node, ['sh', '-c', 'cat > "$1" && chmod 755 "$1"', 'sh', `/usr/local/sbin/${name}`], { input: await readFile(path.join(HERE, file)) });
  }
  await serve(m2, good.crt, good.key); // the iptables test left m2 with another certificate
  const pristine = await upperSnapshot(fleet, node);
  const vs = `${VIP}:6443`;
  const reals = async () => {
    const r = await fleet.run(node, ['ipvsadm', '-L', '-n', '-t', vs]);
    return r.code === 0 ? [...r.stdout.matchAll(/-> (\d\S+) +Masq/g)].map((m) => m[1]!).sort() : undefined;
  };
  const both = [`${m1.ip}:6443`, `${m2.ip}:6443`].sort();
  const noIpvs = async () => {
    assert.equal(await reals(), undefined, 'no virtual server');
    assert.notEqual((await fleet.run(node, ['ip', 'link', 'show', 'sealts-vip'])).code, 0, 'no dummy link');
  };

  await setupVip(x, { mode: 'ipvs', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  assert.deepEqual(await reals(), both);
  assert.match(await fleet.runOk(node, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'sealts-vip']), new RegExp(` inet ${VIP.replace(/\./g, '\\.')}/32 `));
  assert.equal((await fleet.runOk(node, ['systemctl', 'is-active', 'sealts-vip.service'])).trim(), 'active');
  assert.match(await fleet.runOk(node, ['systemctl', 'cat', 'sealts-vip.service']), /^ExecStart=\/bin\/sh \/etc\/sealts\/vip-ipvs.sh watch \/etc\/sealts\/vip-ipvs.targets$/m);
  await checkHostsMapping(x, VIP);
  const adds = async () => (await fleet.runOk(node, ['cat', '/run/sealts-standin-net/calls.log'])).split('\n').filter((l) => / -[Aa] /.test(l)).length;
  const added = await adds();
  await setupVip(x, { mode: 'ipvs', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] }); // idempotent
  assert.equal(await adds(), added, 'a second setup adds nothing');

  // m2's apiserver stops answering /readyz: the watch takes it out, and back when it recovers
  await fleet.runOk(m2, ['systemctl', 'stop', 'fake-apiserver']);
  await until('m2 taken out', async () => JSON.stringify(await reals()) === JSON.stringify([`${m1.ip}:6443`]));
  await serve(m2, good.crt, good.key);
  await until('m2 back', async () => JSON.stringify(await reals()) === JSON.stringify(both));

  // boot: the table and the link are gone (the stand-ins keep them in /run), the unit restores them
  await fleet.reboot(node);
  await fleet.run(node, ['timeout', '60', 'systemctl', 'is-system-running', '--wait']);
  await until('the unit restores the virtual server', async () => JSON.stringify(await reals()) === JSON.stringify(both));

  // switching modes leaves nothing of the other one
  await setupVip(x, { mode: 'iptables', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  await noIpvs();
  assert.match(await fleet.runOk(node, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']), /--to-destination/);
  await checkVip(x, { vip: VIP, port: 6443, caPem: await readFile(ca.caCrt, 'utf8') });
  await setupVip(x, { mode: 'ipvs', vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  assert.doesNotMatch(await fleet.runOk(node, ['iptables-save']), /SEALTS-VIP/);
  assert.deepEqual(await reals(), both);
  assert.equal((await fleet.run(node, ['test', '-e', '/etc/sealts/vip-iptables.sh'])).code, 1);

  await removeVip(x, { vip: VIP, port: 6443, masters: [m1.ip, m2.ip] });
  await noIpvs();
  assert.notEqual((await fleet.run(node, ['systemctl', 'is-active', 'sealts-vip.service'])).stdout.trim(), 'active');
  const diff = snapshotDiff(pristine, await upperSnapshot(fleet, node));
  assert.deepEqual(diff, [], diff.join('\n'));
});
