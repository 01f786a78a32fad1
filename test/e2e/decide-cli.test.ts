// "Decide from the hosts" through the real CLI on systemd fleet hosts with the stand-ins (id 55):
// a master listed first that did not init the cluster, a deleted first master listed again, a host
// listed with the wrong role, local state lost (adopt), a version bump, a changed rootfs rolled out
// host by host, the cluster's record in kube-system, the hosts' env reaching their commands.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { buildRootfs } from '../../pkg/rootfs/index.js';
import { parseClusterfile } from '../../pkg/clusterfile/index.js';
import { connectHost } from '../../pkg/host/exec.js';
import { SshPool } from '../../pkg/ssh/index.js';
import { sh } from '../../pkg/shell/quote.js';
import { standinBinDir } from '../standins/index.js';
import { cliCluster, clusterfileText, trustFleet } from './cli-cluster.js';
import { standinLog } from './runtime-harness.js';

const NAME = 'e2e55';
const V = 'v1.32.8';
let fleet: Fleet;
let work: string;
let home: string;
let m1: string, m2: string, m3: string, n1: string;

const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: home });

/** A Clusterfile in the work dir listing these masters and nodes (in this order). */
async function clusterfile(file: string, masters: string[], nodes: string[], o: { version?: string; image?: string; env?: string } = {}): Promise<string> {
  let text = clusterfileText(fleet, { name: NAME, masters, nodes, version: o.version ?? V, image: o.image ?? 'rootfs' });
  if (o.env) text = text.replace('  hosts:\n', `  env: {${o.env}}\n  hosts:\n`);
  const p = path.join(work, file);
  await writeFile(p, text);
  return p;
}

/** Every stand-in call on every host since `since` (seconds), in time order, "host: call". */
async function callsSince(since: number): Promise<Array<{ t: number; host: string; call: string }>> {
  const all = await Promise.all(fleet.hosts.map(async (h) => (await standinLog(fleet, h.ip)).map((e) => ({ ...e, host: h.ip }))));
  return all.flat().filter((e) => e.t >= since && !e.call.startsWith('kubelet ') && !e.call.startsWith('kubeadm.done')).sort((a, b) => a.t - b.t);
}

const kubeadm = (calls: Array<{ host: string; call: string }>, verb: string) => calls.filter((c) => c.call.startsWith(`kubeadm ${verb} --config`)).map((c) => c.host);
const caSha = async (ip: string) => (await fleet.runOk(ip, ['sha256sum', '/etc/kubernetes/pki/ca.crt'])).split(' ')[0];

before(async () => {
  fleet = await fleetUp({ id: 55, n: 4, init: 'systemd' });
  [m1, m2, m3, n1] = fleet.hosts.map((h) => h.ip) as [string, string, string, string];
  ({ work, home } = await cliCluster(fleet, { name: NAME, masters: [m1, m2], nodes: [n1], version: V, image: 'rootfs' }));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

test('first apply: init on the first master listed; the env of the Clusterfile reaches the hosts', async () => {
  const f = await clusterfile('first.yaml', [m1, m2], [n1], { env: 'SEALTS_TEST_ENV: from-the-clusterfile' });
  const r = await sealts(['apply', '-f', f, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(kubeadm(await callsSince(0), 'init'), [m1]);
  // Every step runs through this one exec path: what it gives a command, every command gets.
  const pool = new SshPool({ knownHostsFiles: [path.join(home, NAME, 'known_hosts')] });
  try {
    const spec = parseClusterfile(await readFile(f, 'utf8'), f).hosts.find((h) => h.ip === n1)!;
    const x = await connectHost(pool, spec);
    assert.equal((await x.exec(sh(['sh', '-c', 'printf %s "$SEALTS_TEST_ENV"']))).stdout, 'from-the-clusterfile');
  } finally {
    await pool.closeAll();
  }
  // ... and what a user runs through sealts on the Clusterfile's hosts too.
  const ex = await sealts(['-o', 'json', 'exec', '-f', f, '--', 'printenv', 'SEALTS_TEST_ENV']);
  assert.equal(ex.code, 0, `${ex.stdout}\n${ex.stderr}`);
  assert.match(ex.stdout, /from-the-clusterfile/);
});

test('a new master listed first: plan and apply join it through the running one; init never runs again', async () => {
  const f = await clusterfile('reordered.yaml', [m3, m2, m1], [n1]);
  const plan = await sealts(['-o', 'json', 'plan', '-f', f]);
  assert.equal(plan.code, 0, plan.stderr);
  const doc = JSON.parse(plan.stdout) as { phases: Array<{ title: string; status: string; intents: Array<{ host?: string; text: string }> }> };
  const phase = (t: string) => doc.phases.find((p) => p.title === t)!;
  assert.equal(phase('Init first master').status, 'skipped');
  assert.deepEqual(phase('Join masters (one at a time)').intents.map((i) => i.host), [m3]);
  // Through a master that runs a control plane (.12 is the first such the Clusterfile lists), never the new .13.
  assert.match(phase('Join masters (one at a time)').intents[0]!.text, new RegExp(`through ${m2.replaceAll('.', '\\.')}`));
  // -o yaml: the documents apply would write, from the facts: only the joining master gets one.
  const yaml = await sealts(['plan', '-f', f, '-o', 'yaml']);
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.deepEqual([...yaml.stdout.matchAll(/^# (\S+): (\S+)$/gm)].map((x) => `${x[1]} ${x[2]}`), [`${m3} /etc/sealts/kubeadm-join.yaml`]);
  assert.match(yaml.stdout, /name: host-13/, 'the node name is the gathered hostname');
  const t0 = Date.now() / 1000;
  const r = await sealts(['apply', '-f', f, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const calls = await callsSince(t0);
  assert.deepEqual(kubeadm(calls, 'init'), []);
  assert.deepEqual(kubeadm(calls, 'join'), [m3]);
  assert.equal(await caSha(m3), await caSha(m1));
});

test('the cluster keeps its own record in kube-system', async () => {
  const out = await fleet.runOk(m2, ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', 'get', 'configmap', 'sealts-cluster', '-n', 'kube-system', '-o', 'json']);
  const record = JSON.parse((JSON.parse(out) as { data: Record<string, string> }).data['cluster.json']!) as { cluster: string; hosts: Record<string, { roles: string[] }>; runtime: { version: string } };
  assert.equal(record.cluster, NAME);
  assert.deepEqual(Object.keys(record.hosts).sort(), [m1, m2, m3, n1].sort());
  assert.deepEqual(record.hosts[n1]!.roles, ['node']);
  assert.equal(record.runtime.version, V);
});

test('a host listed with the wrong role is refused by plan and apply before anything changes', async () => {
  const f = await clusterfile('wrong-role.yaml', [m1, m2, n1], [m3]);
  const t0 = Date.now() / 1000;
  for (const cmd of [['plan', '-f', f], ['apply', '-f', f, '--yes']]) {
    const r = await sealts(cmd);
    assert.notEqual(r.code, 0, `${cmd[0]} should refuse:\n${r.stdout}`);
    const out = r.stdout + r.stderr;
    assert.match(out, new RegExp(`${n1.replaceAll('.', '\\.')}.*says master, the host is a node.*sealts delete --nodes ${n1.replaceAll('.', '\\.')}, then sealts join --masters`));
    assert.match(out, new RegExp(`${m3.replaceAll('.', '\\.')}.*says node, the host runs a control plane.*sealts delete --masters ${m3.replaceAll('.', '\\.')}, then sealts join --nodes`));
  }
  assert.deepEqual((await callsSince(t0)).filter((c) => !/^kubectl (get|version)/.test(c.call)), [], 'no host changed');
});

test('the deleted first master, listed again first, rejoins the same cluster', async () => {
  const del = await sealts(['delete', '--masters', m1, '--yes']);
  assert.equal(del.code, 0, `${del.stdout}\n${del.stderr}`);
  const ca = await caSha(m2);
  const f = await clusterfile('m1-back.yaml', [m1, m2, m3], [n1]);
  const t0 = Date.now() / 1000;
  const r = await sealts(['apply', '-f', f, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const calls = await callsSince(t0);
  assert.deepEqual(kubeadm(calls, 'init'), []);
  assert.deepEqual(kubeadm(calls, 'join'), [m1]);
  assert.equal(await caSha(m1), ca);
});

test('local state lost: apply refuses and names adopt; adopt takes the cluster over; apply converges', async () => {
  const f = path.join(work, 'm1-back.yaml');
  await rename(path.join(home, NAME), path.join(work, 'lost-state'));
  await trustFleet(fleet, home, NAME); // the user's known_hosts still knows the hosts
  const t0 = Date.now() / 1000;
  const refused = await sealts(['apply', '-f', f, '--yes']);
  assert.equal(refused.code, 2, `${refused.stdout}\n${refused.stderr}`);
  assert.match(refused.stdout + refused.stderr, /a cluster already runs on these hosts .* sealts adopt -f /);
  assert.deepEqual((await callsSince(t0)).filter((c) => /^kubeadm (init|join|reset)/.test(c.call)), []);
  const adopt = await sealts(['adopt', '-f', f]);
  assert.equal(adopt.code, 0, `${adopt.stdout}\n${adopt.stderr}`);
  assert.doesNotMatch(adopt.stdout + adopt.stderr, /keeps no sealts record/);
  const local = createHash('sha256').update(await readFile(path.join(home, NAME, 'pki', 'ca.crt'))).digest('hex');
  assert.equal(local, await caSha(m2));
  const st = JSON.parse(await readFile(path.join(home, NAME, 'state.json'), 'utf8')) as { hosts: Record<string, unknown> };
  assert.deepEqual(Object.keys(st.hosts).sort(), [m1, m2, m3, n1].sort());
  const t1 = Date.now() / 1000;
  const again = await sealts(['apply', '-f', f, '--yes']);
  assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
  assert.deepEqual((await callsSince(t1)).filter((c) => /^kubeadm (init|join|reset)/.test(c.call)), []);
  assert.equal(createHash('sha256').update(await readFile(path.join(home, NAME, 'pki', 'ca.crt'))).digest('hex'), local, 'the CA is the cluster\'s');
});

test('a version bump is refused and names sealts upgrade', async () => {
  await buildRootfs({ binDir: await standinBinDir('v1.33.4'), kubernetesVersion: 'v1.33.4', out: path.join(work, 'rootfs-133') });
  const f = await clusterfile('bump.yaml', [m1, m2, m3], [n1], { version: 'v1.33.4', image: 'rootfs-133' });
  for (const cmd of [['plan', '-f', f], ['apply', '-f', f, '--yes']]) {
    const r = await sealts(cmd);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /runs Kubernetes v1\.32\.8, the Clusterfile asks for v1\.33\.4; apply does not change a running version: use sealts upgrade -f /);
  }
});

test('a changed rootfs of the same version rolls out one host at a time, masters first, each drained', async () => {
  const bin = await standinBinDir(V);
  await appendFile(path.join(bin, 'kubelet'), '\n# rebuilt: a new kubelet binary for the roll-out test\n');
  await rm(path.join(work, 'rootfs-v2'), { recursive: true, force: true });
  await buildRootfs({ binDir: bin, kubernetesVersion: V, out: path.join(work, 'rootfs-v2') });
  const f = await clusterfile('rolled.yaml', [m1, m2, m3], [n1], { image: 'rootfs-v2' });
  const plan = await sealts(['plan', '-f', f]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /bin\/kubelet.*drain, install, restart kubelet, uncordon/);
  const t0 = Date.now() / 1000;
  const r = await sealts(['apply', '-f', f, '--yes']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const names = new Map(fleet.hosts.map((h) => [h.name, h.ip]));
  const steps = (await callsSince(t0)).filter((c) => /^kubectl .*(drain|uncordon) /.test(c.call)).map((c) => {
    const words = c.call.split(' ');
    const verb = words.find((w) => w === 'drain' || w === 'uncordon')!;
    return `${verb} ${names.get(words[words.indexOf(verb) + 1]!)}`;
  });
  // One host at a time (each drained, then uncordoned, before the next), masters first.
  assert.deepEqual(steps, [m1, m2, m3, n1].flatMap((ip) => [`drain ${ip}`, `uncordon ${ip}`]));
  for (const ip of [m1, n1]) assert.equal(await fleet.runOk(ip, ['tail', '-c', '60', '/usr/bin/kubelet']).then((t) => t.includes('rebuilt')), true);
  await cp(path.join(work, 'rolled.yaml'), path.join(work, 'final.yaml'));
});
