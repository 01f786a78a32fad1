// Convergence through the CLI on systemd fleet hosts (id 48), logging in as the non-root sudo user
// `ops`: a bad image is refused up front (exit 2); with sshd down on one node the apply fails
// naming that host (exit 1); once sshd is back, re-running apply completes without redoing init.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { buildRootfs } from '../../pkg/rootfs/index.js';
import { standinBinDir } from '../standins/index.js';
import { clusterfileText, trustFleet } from './cli-cluster.js';
import { standinCalls } from './runtime-harness.js';

const NAME = 'conv48';
let fleet: Fleet;
let work: string;

/** `sealts ...args` from source, with this test's own SEALTS_HOME. */
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

/** A Clusterfile logging in as ops (passwordless sudo): the first host master, `nodes` (default the other two) nodes. */
async function clusterfile(image: string, nodes = fleet.hosts.slice(1), file = path.join(work, `Clusterfile-${path.basename(image)}`)): Promise<string> {
  const ssh = `{user: ops, pk: ${fleet.keyPath}}`;
  await writeFile(file, clusterfileText(fleet, { name: NAME, masters: [fleet.hosts[0]!.ip], nodes: nodes.map((h) => h.ip), version: 'v1.32.8', image, ssh, vipMode: 'auto' }));
  return file;
}

before(async () => {
  fleet = await fleetUp({ id: 48, n: 3, init: 'systemd' });
  work = await mkdtemp(path.join(os.tmpdir(), 'sealts-conv-'));
  await buildRootfs({ binDir: await standinBinDir('v1.32.8'), kubernetesVersion: 'v1.32.8', out: path.join(work, 'rootfs.tar.gz') });
  await trustFleet(fleet, path.join(work, 'home'), NAME);
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('a missing rootfs image is bad input: exit 2 naming it, nothing installed', async () => {
  const r = await sealts(['apply', '-f', await clusterfile(path.join(work, 'nope.tar.gz')), '--yes']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  // Found before any host, at the Clusterfile's line, said once.
  assert.match(r.stderr, /^error: \S*Clusterfile-nope\.tar\.gz:\d+:\d+: spec\.image: rootfs image \S*nope\.tar\.gz not found\n$/);
  assert.notEqual((await fleet.run(fleet.hosts[0]!, ['test', '-e', '/var/lib/sealts'])).code, 0);
});

test('sshd down on a node: apply fails naming it; after sshd is back, re-apply converges without a second init', async () => {
  const file = await clusterfile(path.join(work, 'rootfs.tar.gz'));
  const n2 = fleet.hosts[2]!;
  await fleet.sshdStop(n2);
  const failed = await sealts(['apply', '-f', file, '--yes']);
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stderr, new RegExp(n2.ip.replace(/\./g, '\\.')));
  await fleet.sshdStart(n2);
  const ok = await sealts(['apply', '-f', file, '--yes']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const m = fleet.hosts[0]!;
  assert.deepEqual((await fleet.runOk(m, ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'nodes', '-o', 'name'])).trim().split('\n').sort(), ['node/host-11', 'node/host-12', 'node/host-13']);
  assert.equal((await standinCalls(fleet, m.ip)).filter((c) => c.startsWith('kubeadm init --config')).length, 1);
  // files written through sudo are root's
  assert.equal((await fleet.runOk(m, ['stat', '-c', '%U', '/var/lib/sealts/rootfs/bin/kubeadm'])).trim(), 'root');
});

test('a node failing mid-apply (its VIP check cannot reach the master): re-apply joins it, nothing redone elsewhere', async () => {
  const file = await clusterfile(path.join(work, 'rootfs.tar.gz'));
  const cleared = await sealts(['delete', '--all', '--yes']);
  assert.equal(cleared.code, 0, cleared.stdout + cleared.stderr);
  await trustFleet(fleet, path.join(work, 'home'), NAME);
  const [m, n1] = fleet.hosts as [typeof fleet.hosts[0], typeof fleet.hosts[0]];
  // a firewall on n1 rejects what the VIP sends to the master: init and the other node go through
  const block = ['-p', 'tcp', '-d', m.ip, '--dport', '6443', '-j', 'REJECT'];
  await fleet.runOk(n1, ['iptables', '-I', 'OUTPUT', ...block]);
  const initsBefore = (await standinCalls(fleet, m.ip)).filter((c) => c.startsWith('kubeadm init --config')).length;
  const failed = await sealts(['apply', '-f', file, '--yes']);
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stderr, new RegExp(`${n1.ip.replace(/\./g, '\\.')}.*vip check`));
  await fleet.runOk(n1, ['iptables', '-D', 'OUTPUT', ...block]);
  const n2Joins = (await standinCalls(fleet, fleet.hosts[2]!.ip)).filter((c) => c.startsWith('kubeadm join')).length;
  const ok = await sealts(['apply', '-f', file, '--yes']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal((await standinCalls(fleet, m.ip)).filter((c) => c.startsWith('kubeadm init --config')).length, initsBefore + 1, 'init ran once over both applies');
  assert.equal((await standinCalls(fleet, fleet.hosts[2]!.ip)).filter((c) => c.startsWith('kubeadm join')).length, n2Joins, 'the node that had joined was left alone');
  assert.deepEqual((await fleet.runOk(m, ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'nodes', '-o', 'name'])).trim().split('\n').sort(), ['node/host-11', 'node/host-12', 'node/host-13']);
});

test('a node dropped from the Clusterfile: refused without --yes (exit 2), removed and cleaned with it', async () => {
  const [m, n1, n2] = fleet.hosts as [typeof fleet.hosts[0], typeof fleet.hosts[0], typeof fleet.hosts[0]];
  const file = await clusterfile(path.join(work, 'rootfs.tar.gz'), [n1], path.join(work, 'Clusterfile-smaller'));
  const refused = await sealts(['apply', '-f', file]);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, new RegExp(`would remove ${n2.ip.replace(/\./g, '\\.')}.*--yes`));
  const ok = await sealts(['apply', '-f', file, '--yes']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.deepEqual((await fleet.runOk(m, ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'nodes', '-o', 'name'])).trim().split('\n').sort(), ['node/host-11', 'node/host-12']);
  for (const gone of ['/var/lib/sealts', '/etc/kubernetes', '/var/lib/kubelet']) {
    assert.notEqual((await fleet.run(n2, ['test', '-e', gone])).code, 0, `${gone} removed from ${n2.name}`);
  }
  assert.notEqual((await fleet.run(n2, ['systemctl', 'cat', 'kubelet'])).code, 0);
});
