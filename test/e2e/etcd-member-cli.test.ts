// Deleting a master removes its etcd member, through the CLI on systemd fleet hosts (id 73) with the
// stand-ins: 3 masters + 1 node. etcd-standin serves etcd's member API on :2379 with etcd's TLS
// rules; deleting a Node object leaves the member alone (as a real apiserver does), so the member
// list only shrinks if kubeadm reset (reachable master) or sealts itself (unreachable master,
// --force) removes it. The list is read the way an operator would: curl with the etcd client
// certificate on a master that stays.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { cliCluster } from './cli-cluster.js';
import { standinCalls } from './runtime-harness.js';

const NAME = 'etcd73';
const PKI = '/etc/kubernetes/pki';
const ETCD_CLIENT = ['--cacert', `${PKI}/etcd/ca.crt`, '--cert', `${PKI}/apiserver-etcd-client.crt`, '--key', `${PKI}/apiserver-etcd-client.key`];
let fleet: Fleet;
let work: string;
let clusterfile: string;

const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });
const esc = (ip: string) => ip.replace(/\./g, '\\.');

interface Member {
  ID: string;
  name: string;
  peerURLs: string[];
}

/** POST to the etcd gateway from `on` (default: its own loopback client URL). */
async function etcd(on: FleetHost, urlPath: string, body: object, tls = ETCD_CLIENT, url = 'https://127.0.0.1:2379') {
  return fleet.run(on, ['curl', '-sS', '--max-time', '10', ...tls, '-X', 'POST', '--data-binary', JSON.stringify(body), `${url}${urlPath}`]);
}

async function members(on: FleetHost): Promise<Member[]> {
  const r = await etcd(on, '/v3/cluster/member/list', {});
  assert.equal(r.code, 0, `member list on ${on.ip}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { members: Member[] }).members;
}

async function memberNames(on: FleetHost): Promise<string[]> {
  return (await members(on)).map((m) => m.name).sort();
}

before(async () => {
  fleet = await fleetUp({ id: 73, n: 4, init: 'systemd' });
  ({ work, clusterfile } = await cliCluster(fleet, { name: NAME, masters: fleet.hosts.slice(0, 3).map((h) => h.ip), nodes: [fleet.hosts[3]!.ip], version: 'v1.31.4' }));
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('every master is an etcd member, served with etcd TLS on loopback and the host address', async () => {
  const [m1, m2, m3] = fleet.hosts;
  const ms = await members(m1!);
  assert.deepEqual(ms.map((m) => m.name).sort(), ['host-11', 'host-12', 'host-13']);
  for (const m of [m1!, m2!, m3!]) {
    const mine = ms.find((x) => x.name === m.name)!;
    assert.deepEqual(mine.peerURLs, [`https://${m.ip}:2380`]);
    assert.match(mine.ID, /^\d+$/);
  }
  // the same list from another master, over its advertise address (server cert valid for it)
  assert.deepEqual(await memberNames(m2!), ['host-11', 'host-12', 'host-13']);
  const remote = await etcd(m2!, '/v3/cluster/member/list', {}, ETCD_CLIENT, `https://${m1!.ip}:2379`);
  assert.equal(remote.code, 0, remote.stderr);
  // etcd requires a client certificate of its own CA: none, or one of the cluster CA, fails TLS
  const anonymous = await etcd(m1!, '/v3/cluster/member/list', {}, ['--cacert', `${PKI}/etcd/ca.crt`]);
  assert.notEqual(anonymous.code, 0, 'no client certificate must be refused');
  const wrongCa = await etcd(m1!, '/v3/cluster/member/list', {}, ['--cacert', `${PKI}/etcd/ca.crt`, '--cert', `${PKI}/apiserver-kubelet-client.crt`, '--key', `${PKI}/apiserver-kubelet-client.key`]);
  assert.notEqual(wrongCa.code, 0, 'a client certificate of the cluster CA (not etcd\'s) must be refused');
  // an unknown member answers like etcd's gateway
  const unknown = await etcd(m1!, '/v3/cluster/member/remove', { ID: '12345' });
  assert.deepEqual(JSON.parse(unknown.stdout), { error: 'etcdserver: member not found', code: 5, message: 'etcdserver: member not found' });
});

test('delete --masters of a reachable master: its etcd member is gone, the others stay', async () => {
  const [m1, m2, m3] = fleet.hosts;
  const r = await sealts(['delete', '--masters', m3!.ip, '--yes']);
  assert.equal(r.code, 0, `delete failed:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(await memberNames(m1!), ['host-11', 'host-12']);
  assert.deepEqual(await memberNames(m2!), ['host-11', 'host-12']);
  assert.ok((await standinCalls(fleet, m3!.ip)).some((c) => c.startsWith('kubeadm reset')), 'kubeadm reset ran on the deleted master');
  assert.notEqual((await fleet.run(m3!, ['curl', '-sk', '--max-time', '3', 'https://127.0.0.1:2379/'])).code, 0, 'its etcd stand-in is stopped');
});

test('delete --masters --force of an unreachable master: sealts removes its etcd member itself', async () => {
  const [m1, m2, , n1] = fleet.hosts;
  assert.deepEqual(await memberNames(m1!), ['host-11', 'host-12']);
  // sshd down: sealts cannot reach it, so kubeadm reset never runs there (its etcd would still answer)
  await fleet.sshdStop(m2!);
  const r = await sealts(['delete', '--masters', m2!.ip, '--force', '--yes']);
  assert.equal(r.code, 0, `delete --force failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(`${r.stdout}\n${r.stderr}`, new RegExp(`${esc(m2!.ip)}.*unreachable`));
  assert.ok(!(await standinCalls(fleet, m2!.ip)).some((c) => c.startsWith('kubeadm reset')), 'no reset ran on the unreachable master');
  assert.deepEqual(await memberNames(m1!), ['host-11'], 'the unreachable master\'s etcd member was removed');
  assert.deepEqual((await fleet.runOk(m1!, ['kubectl', 'get', 'nodes', '-o', 'name'])).trim().split('\n').sort(), ['node/host-11', 'node/host-14']);
  const rules = await fleet.runOk(n1!, ['iptables', '-t', 'nat', '-S', 'SEALTS-VIP']);
  assert.match(rules, new RegExp(`--to-destination ${esc(m1!.ip)}:6443`));
  assert.doesNotMatch(rules, new RegExp(`${esc(m2!.ip)}:6443`));
  assert.equal((rules.match(/--to-destination /g) ?? []).length, 1, `only the remaining master:\n${rules}`);
});
