// HA on REAL Kubernetes (id 81, 6 systemd hosts): `sealts apply` of 3 masters + 2 nodes with the VIP
// in iptables mode (this kernel has no IPVS); with master0's kubelet and apiserver stopped, kubectl
// on a node through the VIP still works; `sealts join --nodes` adds a Ready node; `sealts etcd
// backup` then `restore` brings back a ConfigMap deleted in between; `sealts cert renew` renews every
// certificate one master at a time while kubectl through the VIP keeps answering, and each apiserver
// and etcd then serves the new one; `sealts delete --masters`
// removes a master and etcd lists the other two; `delete --all` leaves every host as fleet-up made it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { trustFleet } from './cli-cluster.js';
import { assertAsBefore, lookAt, type HostLook } from './host-look.js';
import { eventually, kubectl, kubectlOn, probeGaps, realClusterfileText, realRootfs, startProbe } from './real-kube.js';
import { testVip } from './runtime-harness.js';

let fleet: Fleet;
let work: string;
let clusterfile: string;
const pristine = new Map<string, HostLook>();
const home = () => path.join(work, 'home');
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: home() });
const ip = (i: number) => fleet.hosts[i]!.ip;

before(async () => {
  const image = await realRootfs();
  fleet = await fleetUp({ id: 81, n: 6, init: 'systemd' });
  work = await mkdtemp(path.join(os.tmpdir(), 'sealts-realha-'));
  clusterfile = path.join(work, 'Clusterfile');
  await writeFile(clusterfile, realClusterfileText(fleet, { name: 'realha', masters: [ip(0), ip(1), ip(2)], nodes: [ip(3), ip(4)], image }));
  await trustFleet(fleet, home(), 'realha');
  for (const h of fleet.hosts) pristine.set(h.ip, await lookAt(fleet, h.ip));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

async function readyNodes(master: string): Promise<string[]> {
  const out = await kubectl(fleet, master, ['get', 'nodes', '--no-headers']);
  return out.trim().split('\n').filter((l) => / Ready /.test(l)).map((l) => l.split(/\s+/)[0]!).sort();
}

/** etcd's member names, asked with etcdctl on a master (its own certificates). */
async function etcdMembers(master: string): Promise<string[]> {
  const out = await fleet.runOk(master, [
    '/usr/bin/etcdctl', '--endpoints', 'https://127.0.0.1:2379', '--cacert', '/etc/kubernetes/pki/etcd/ca.crt',
    '--cert', '/etc/kubernetes/pki/etcd/healthcheck-client.crt', '--key', '/etc/kubernetes/pki/etcd/healthcheck-client.key', 'member', 'list', '-w', 'simple',
  ]);
  return out.trim().split('\n').map((l) => l.split(', ')[2]!).sort();
}

test('apply: 3 masters + 2 nodes, real binaries, iptables VIP', { timeout: 1_200_000 }, async () => {
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const want = [0, 1, 2, 3, 4].map((i) => fleet.hosts[i]!.name).sort();
  await eventually('5 nodes Ready', 240_000, async () => {
    const ready = await readyNodes(ip(0));
    return ready.join() === want.join() || ready.join();
  });
  assert.deepEqual(await etcdMembers(ip(1)), [0, 1, 2].map((i) => fleet.hosts[i]!.name).sort());
});

test('with master0 down, kubectl on a node through the VIP still works', { timeout: 600_000 }, async () => {
  // An admin kubeconfig aimed at the VIP, on a node (nodes hold no admin credentials of their own).
  const admin = (await readFile(path.join(home(), 'realha', 'admin.conf'), 'utf8')).replace(/server: .*/, `server: https://${testVip(fleet)}:6443`);
  await fleet.runOk(ip(3), ['sh', '-c', 'umask 077; cat > /tmp/vip-admin.conf'], { input: admin });
  const kubectlBin = await kubectlOn(fleet, ip(3));
  try {
    await fleet.runOk(ip(0), ['systemctl', 'stop', 'kubelet']);
    const ids = (await fleet.runOk(ip(0), ['ctr', '-n', 'k8s.io', 'containers', 'ls', '-q', 'labels."io.kubernetes.container.name"==kube-apiserver'])).trim().split('\n').filter(Boolean);
    assert.ok(ids.length > 0, 'master0 runs an apiserver container');
    for (const id of ids) await fleet.run(ip(0), ['ctr', '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id]);
    await eventually('master0 apiserver down', 30_000, async () => (await fleet.run(ip(3), ['curl', '-sk', '--max-time', '2', `https://${ip(0)}:6443/readyz`])).code !== 0);
    // The VIP's watcher drops master0 within a few seconds; then every request must succeed.
    await new Promise((r) => setTimeout(r, 6000));
    for (let i = 0; i < 10; i++) {
      const out = await fleet.runOk(ip(3), [kubectlBin, '--kubeconfig', '/tmp/vip-admin.conf', 'get', 'nodes', '-o', 'name', '--request-timeout=10s']);
      assert.equal(out.trim().split('\n').length, 5, `try ${i}: ${out}`);
    }
  } finally {
    await fleet.run(ip(3), ['rm', '-f', '/tmp/vip-admin.conf']);
    await fleet.run(ip(0), ['systemctl', 'start', 'kubelet']);
  }
  await eventually('master0 apiserver back', 180_000, async () => (await fleet.run(ip(3), ['curl', '-sk', '--max-time', '2', `https://${ip(0)}:6443/readyz`])).code === 0);
});

test('sealts join --nodes adds a Ready node', { timeout: 900_000 }, async () => {
  const r = await sealts(['join', '--nodes', ip(5), '--yes']);
  assert.equal(r.code, 0, `join failed:\n${r.stdout}\n${r.stderr}`);
  await eventually('the new node Ready', 180_000, async () => (await readyNodes(ip(1))).includes(fleet.hosts[5]!.name));
});

test('sealts etcd backup, then restore: a ConfigMap deleted after the backup is back, every node Ready', { timeout: 900_000 }, async () => {
  await kubectl(fleet, ip(0), ['create', 'configmap', 'before-backup', '-n', 'default', '--from-literal=k=v']);
  const file = path.join(work, 'etcd.db');
  const b = await sealts(['etcd', 'backup', '--out', file, '--yes']);
  assert.equal(b.code, 0, `backup failed:\n${b.stdout}\n${b.stderr}`);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const header = JSON.parse(await readFile(`${file}.json`, 'utf8')) as { cluster: string; sha256: string; members: Array<{ name: string }> };
  assert.equal(header.cluster, 'realha');
  assert.equal(header.sha256, createHash('sha256').update(await readFile(file)).digest('hex'));
  assert.deepEqual(header.members.map((m) => m.name).sort(), [0, 1, 2].map((i) => fleet.hosts[i]!.name).sort());
  await kubectl(fleet, ip(0), ['delete', 'configmap', 'before-backup', '-n', 'default']);
  // A damaged snapshot is refused before any master stops.
  const copy = path.join(work, 'damaged.db');
  await writeFile(copy, Buffer.concat([await readFile(file), Buffer.from('x')]));
  await writeFile(`${copy}.json`, await readFile(`${file}.json`));
  const bad = await sealts(['etcd', 'restore', copy, '--yes']);
  assert.equal(bad.code, 2, `${bad.stdout}\n${bad.stderr}`);
  assert.match(bad.stderr, /damaged\.db: sha256 .* is not the .* its header records/);
  const r = await sealts(['etcd', 'restore', file, '--yes']);
  assert.equal(r.code, 0, `restore failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(await kubectl(fleet, ip(1), ['get', 'configmap', 'before-backup', '-n', 'default', '-o', 'jsonpath={.data.k}']), /^v$/);
  assert.deepEqual(await etcdMembers(ip(0)), [0, 1, 2].map((i) => fleet.hosts[i]!.name).sort());
  await eventually('every node Ready after the restore', 240_000, async () => (await readyNodes(ip(0))).length === 6);
  for (const i of [0, 1, 2]) assert.notEqual((await fleet.run(ip(i), ['test', '-e', '/var/lib/etcd.before-restore'])).code, 0, 'the old data dir is removed');
});

/** The serial of the certificate served on host:port, read with openssl s_client on `from` (etcd asks for a client certificate). */
async function servedSerial(from: string, target: string, port: number): Promise<string> {
  const client = port === 2379 ? ['-cert', '/etc/kubernetes/pki/etcd/healthcheck-client.crt', '-key', '/etc/kubernetes/pki/etcd/healthcheck-client.key'] : [];
  // sh -c SCRIPT HOST:PORT ARGS...: $0 is HOST:PORT, "$@" the client certificate flags.
  const script = 'openssl s_client -connect "$0" "$@" </dev/null 2>/dev/null | openssl x509 -noout -serial';
  const out = await fleet.runOk(from, ['sh', '-c', script, `${target}:${port}`, ...client]);
  return /serial=([0-9A-F]+)/i.exec(out)?.[1]?.toUpperCase() ?? `none: ${out}`;
}

test('sealts cert renew on 3 masters: kubectl through the VIP works during and after; every apiserver and etcd serves its new certificate', { timeout: 1_200_000 }, async () => {
  const masters = [ip(0), ip(1), ip(2)];
  const pki = path.join(home(), 'realha', 'pki');
  const before = await Promise.all(masters.map(async (m) => [await servedSerial(m, m, 6443), await servedSerial(m, m, 2379)]));
  // A probe on a node: kubectl through the VIP every half second, each try's outcome logged.
  const admin = (await readFile(path.join(home(), 'realha', 'admin.conf'), 'utf8')).replace(/server: .*/, `server: https://${testVip(fleet)}:6443`);
  await fleet.runOk(ip(3), ['sh', '-c', 'umask 077; cat > /tmp/probe-admin.conf'], { input: admin });
  const probe = await startProbe(fleet, ip(3), `${await kubectlOn(fleet, ip(3))} --kubeconfig /tmp/probe-admin.conf --request-timeout=3s get --raw /readyz`);
  let log = '';
  try {
    const r = await sealts(['cert', 'renew', 'all', '--yes', '-o', 'json']);
    assert.equal(r.code, 0, `renew failed:\n${r.stdout}\n${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { hosts: Array<{ host: string; restarted: string[] }> };
    assert.deepEqual(doc.hosts.map((h) => h.host), masters, 'one master at a time, in order');
    for (const h of doc.hosts) for (const pod of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) assert.ok(h.restarted.includes(pod), `${h.host} restarted ${pod}: ${h.restarted}`);
    await new Promise((res) => setTimeout(res, 5000)); // and a little after
  } finally {
    log = await probe.stop();
    await fleet.run(ip(3), ['rm', '-f', '/tmp/probe-admin.conf']);
  }
  // No gap longer than a few seconds in the answers through the VIP (its watcher checks every 2 s).
  const g = probeGaps(log);
  assert.ok(g.tries > 20, `${g.tries} tries`);
  assert.ok(g.gap <= 8, `the longest gap between answers through the VIP was ${g.gap.toFixed(1)} s (${g.ok}/${g.tries} answers):\n${log}`);
  assert.ok(g.endsOk, 'kubectl through the VIP works after the renewal');
  // Each master serves the certificates just made: new serials, those of the local PKI.
  for (const [i, m] of masters.entries()) {
    const local = (f: string) => new X509Certificate(readFileSync(path.join(pki, 'masters', m, f))).serialNumber.toUpperCase();
    const [api, etcd] = [await servedSerial(m, m, 6443), await servedSerial(m, m, 2379)];
    assert.notEqual(api, before[i]![0], `${m}: the apiserver serves a new certificate`);
    assert.notEqual(etcd, before[i]![1], `${m}: etcd serves a new certificate`);
    assert.equal(api.replace(/^0+/, ''), local('apiserver.crt').replace(/^0+/, ''), `${m}: the apiserver's is the local PKI's`);
    assert.equal(etcd.replace(/^0+/, ''), local('etcd/server.crt').replace(/^0+/, ''), `${m}: etcd's is the local PKI's`);
  }
  const check = await sealts(['cert', 'check-expiration', '-o', 'json']);
  assert.equal(check.code, 0, check.stderr);
  const rows = JSON.parse(check.stdout) as Array<{ source: string; name: string; local: string; residualDays: number }>;
  assert.deepEqual(rows.filter((x) => x.local === 'differs').map((x) => `${x.source} ${x.name}`), [], 'the hosts hold the local PKI');
  await eventually('every node Ready after the renewal', 180_000, async () => (await readyNodes(ip(0))).length === 6);
});

test('sealts delete --masters removes a master; etcd lists the other two', { timeout: 900_000 }, async () => {
  const r = await sealts(['delete', '--masters', ip(2), '--yes']);
  assert.equal(r.code, 0, `delete failed:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(await etcdMembers(ip(0)), [0, 1].map((i) => fleet.hosts[i]!.name).sort());
  const nodes = (await kubectl(fleet, ip(0), ['get', 'nodes', '-o', 'name'])).trim().split('\n');
  assert.ok(!nodes.includes(`node/${fleet.hosts[2]!.name}`));
  await assertAsBefore(fleet, pristine, [ip(2)]);
});

test('sealts delete --all leaves every host as fleet-up made it', { timeout: 600_000 }, async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `delete failed:\n${r.stdout}\n${r.stderr}`);
  await assertAsBefore(fleet, pristine, fleet.hosts.map((h) => h.ip));
});
