// Through the CLI on systemd fleet hosts (id 70): preflight refuses a new host whose kubelet port is
// taken, naming host and port, before anything is installed; `delete --nodes` of a host whose sshd
// is down is refused (state untouched) unless --force, which removes it from the cluster and state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { cliCluster } from './cli-cluster.js';

const NAME = 'pf70';
const SQUATTER = 'sealts-test-squatter';
let fleet: Fleet;
let work: string;

/** `sealts ...args` from source, with this test's own SEALTS_HOME. */
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

const esc = (s: string) => s.replace(/\./g, '\\.');
const nodeNames = async () => (await fleet.runOk(fleet.hosts[0]!, ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'nodes', '-o', 'name'])).trim().split('\n').sort();

before(async () => {
  fleet = await fleetUp({ id: 70, n: 3, init: 'systemd' });
  const [m, n1, n2] = fleet.hosts;
  ({ work } = await cliCluster(fleet, { name: NAME, masters: [m!.ip], nodes: [n1!.ip, n2!.ip], version: 'v1.32.8', image: 'rootfs.tar.gz', vipMode: 'auto' }));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('a node whose kubelet port 10250 is taken: apply exits 1 naming host and port, nothing installed; freed, apply completes', async () => {
  const n1 = fleet.hosts[1]!;
  await fleet.runOk(n1, ['systemd-run', `--unit=${SQUATTER}`, 'python3', '-m', 'http.server', '--bind', '0.0.0.0', '10250']);
  for (let i = 0; i < 50 && !/:10250\b/.test(await fleet.runOk(n1, ['ss', '-Htln'])); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(await fleet.runOk(n1, ['ss', '-Htln']), /:10250\b/, 'the squatter listens');
  const failed = await sealts(['apply', '-f', path.join(work, 'Clusterfile'), '--yes']);
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stderr, new RegExp(`${esc(n1.ip)}: .*port 10250 already in use`));
  assert.doesNotMatch(failed.stderr, new RegExp(`${esc(fleet.hosts[2]!.ip)}: .*already in use`), 'only the host with the port taken');
  for (const h of fleet.hosts) assert.notEqual((await fleet.run(h, ['test', '-e', '/var/lib/sealts/rootfs'])).code, 0, `${h.ip}: nothing pushed before preflight passed`);
  await fleet.runOk(n1, ['systemctl', 'stop', SQUATTER]);
  const ok = await sealts(['apply', '-f', path.join(work, 'Clusterfile'), '--yes']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.deepEqual(await nodeNames(), ['node/host-11', 'node/host-12', 'node/host-13']);
});

test('delete --nodes of an unreachable host: refused without --force (state unchanged), removed with it', async () => {
  const n2 = fleet.hosts[2]!;
  const home = path.join(work, 'home', NAME);
  const stateBefore = await readFile(path.join(home, 'state.json'), 'utf8');
  const clusterfileBefore = await readFile(path.join(home, 'Clusterfile'), 'utf8');
  assert.match(clusterfileBefore, new RegExp(esc(n2.ip)));
  await fleet.sshdStop(n2);
  try {
    const refused = await sealts(['delete', '--nodes', n2.ip, '--yes']);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`${esc(n2.ip)}.*--force`));
    assert.equal(await readFile(path.join(home, 'state.json'), 'utf8'), stateBefore);
    assert.equal(await readFile(path.join(home, 'Clusterfile'), 'utf8'), clusterfileBefore);
    assert.deepEqual(await nodeNames(), ['node/host-11', 'node/host-12', 'node/host-13']);

    const forced = await sealts(['delete', '--nodes', n2.ip, '--force', '--yes']);
    assert.equal(forced.code, 0, forced.stdout + forced.stderr);
    assert.match(forced.stdout + forced.stderr, new RegExp(`${esc(n2.ip)}: unreachable, removed from the cluster without cleaning it`));
    assert.deepEqual(await nodeNames(), ['node/host-11', 'node/host-12']);
    const st = JSON.parse(await readFile(path.join(home, 'state.json'), 'utf8')) as { hosts: Record<string, unknown> };
    assert.equal(st.hosts[n2.ip], undefined);
    assert.ok(st.hosts[fleet.hosts[1]!.ip], 'the other node stays');
    assert.doesNotMatch(await readFile(path.join(home, 'Clusterfile'), 'utf8'), new RegExp(esc(n2.ip)));
    // the host itself could not be cleaned: its kubelet config is still there
    assert.equal((await fleet.run(n2, ['test', '-f', '/etc/kubernetes/kubelet.conf'])).code, 0);
  } finally {
    await fleet.sshdStart(n2);
  }
});
