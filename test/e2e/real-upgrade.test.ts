// `sealts upgrade` on REAL Kubernetes (id 84, 2 systemd hosts): a 1 master + 1 node cluster applied
// at the default version goes to the table's next minor (v1.36.3 to v1.37.2; `make kube-bins` builds
// both): the dry run shows
// the upgrade host by host; then control plane first, then the kubelets, every node Ready on the new
// version, kube-system's pods running on it; a re-run has nothing to do; apply of the upgraded
// Clusterfile converges; `delete --all` leaves both hosts as fleet-up made them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { trustFleet } from './cli-cluster.js';
import { assertAsBefore, lookAt, type HostLook } from './host-look.js';
import { eventually, kubectl, KUBE_VERSION, realClusterfileText, realRootfs, UPGRADE_TO } from './real-kube.js';

if (!UPGRADE_TO) throw new Error(`pkg/versions/kubernetes.json has no release of the minor after ${KUBE_VERSION}: the upgrade test has nowhere to go`);
const TO: string = UPGRADE_TO;
let fleet: Fleet;
let work: string;
let before136: string;
let after137: string;
const pristine = new Map<string, HostLook>();
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

before(async () => {
  const [oldImage, newImage] = [await realRootfs(KUBE_VERSION), await realRootfs(TO)];
  fleet = await fleetUp({ id: 84, n: 2, init: 'systemd' });
  work = await mkdtemp(path.join(os.tmpdir(), 'sealts-upgrade-'));
  const [m, n] = fleet.hosts.map((h) => h.ip) as [string, string];
  before136 = path.join(work, 'Clusterfile');
  after137 = path.join(work, 'Clusterfile.upgraded');
  await writeFile(before136, realClusterfileText(fleet, { name: 'realup', masters: [m], nodes: [n], image: oldImage }));
  await writeFile(after137, realClusterfileText(fleet, { name: 'realup', masters: [m], nodes: [n], image: newImage, version: TO }));
  await trustFleet(fleet, path.join(work, 'home'), 'realup');
  for (const h of fleet.hosts) pristine.set(h.ip, await lookAt(fleet, h.ip));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

/** name -> kubelet version, of the Ready nodes. */
async function readyVersions(): Promise<Record<string, string>> {
  const out = await kubectl(fleet, fleet.hosts[0]!.ip, ['get', 'nodes', '--no-headers', '-o', 'custom-columns=N:.metadata.name,R:.status.conditions[?(@.type=="Ready")].status,V:.status.nodeInfo.kubeletVersion']);
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(/\s+/)).filter((f) => f[1] === 'True').map((f) => [f[0]!, f[2]!]));
}

test(`apply ${KUBE_VERSION}, then apply of ${TO} is refused and names sealts upgrade`, { timeout: 900_000 }, async () => {
  const r = await sealts(['apply', '-f', before136, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  await eventually('both nodes Ready', 180_000, async () => Object.keys(await readyVersions()).length === 2);
  const refused = await sealts(['apply', '-f', after137, '--yes']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, new RegExp(`runs Kubernetes ${KUBE_VERSION.replaceAll('.', '\\.')}, the Clusterfile asks for ${TO.replaceAll('.', '\\.')}.*sealts upgrade -f`));
});

test('upgrade --dry-run shows it host by host: control plane first, then the kubelets', { timeout: 300_000 }, async () => {
  const r = await sealts(['-o', 'json', 'upgrade', '-f', after137, '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { phases: Array<{ title: string; intents: Array<{ host?: string; text: string }> }> };
  const phase = (t: RegExp) => doc.phases.find((p) => t.test(p.title))!;
  assert.deepEqual(phase(/control plane/).intents.map((i) => `${i.host} ${i.text}`), [`${fleet.hosts[0]!.ip} kubeadm upgrade apply ${TO} (the cluster's control plane)`]);
  assert.deepEqual(phase(/kubelets/).intents.map((i) => i.host), fleet.hosts.map((h) => h.ip));
});

test(`sealts upgrade to ${TO}: every node Ready on it, kube-system running on it`, { timeout: 1_200_000 }, async () => {
  const r = await sealts(['upgrade', '-f', after137, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  await eventually(`both nodes Ready on ${TO}`, 240_000, async () => {
    const v = await readyVersions();
    return Object.values(v).length === 2 && Object.values(v).every((x) => x === TO) ? true : JSON.stringify(v);
  });
  const server = await kubectl(fleet, fleet.hosts[0]!.ip, ['version', '-o', 'json']);
  assert.equal((JSON.parse(server) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, TO);
  await eventually('kube-system pods Running, kube-proxy on the new version', 240_000, async () => {
    const pods = await kubectl(fleet, fleet.hosts[0]!.ip, ['get', 'pods', '-n', 'kube-system', '--no-headers', '-o', 'custom-columns=N:.metadata.name,P:.status.phase,I:.spec.containers[0].image']);
    const rows = pods.trim().split('\n').map((l) => l.split(/\s+/));
    const notRunning = rows.filter((x) => x[1] !== 'Running');
    const proxyOld = rows.filter((x) => x[0]!.startsWith('kube-proxy') && !x[2]!.endsWith(`:${TO}`));
    return notRunning.length === 0 && proxyOld.length === 0 ? true : pods;
  });
});

test('a re-run has nothing to do; apply of the upgraded Clusterfile converges', { timeout: 600_000 }, async () => {
  const again = await sealts(['-o', 'json', 'upgrade', '-f', after137, '--yes']);
  assert.equal(again.code, 0, again.stderr);
  const doc = JSON.parse(again.stdout) as { phases: Array<{ title: string; status: string }> };
  for (const p of doc.phases.filter((x) => /control plane|kubelets|Install/.test(x.title))) assert.equal(p.status, 'skipped', p.title);
  const apply = await sealts(['apply', '-f', after137, '--yes']);
  assert.equal(apply.code, 0, `${apply.stdout}\n${apply.stderr}`);
});

test('sealts delete --all leaves both hosts as fleet-up made them', { timeout: 600_000 }, async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  await assertAsBefore(fleet, pristine, fleet.hosts.map((h) => h.ip));
});
