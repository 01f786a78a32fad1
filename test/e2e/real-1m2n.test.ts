// A REAL Kubernetes cluster (binaries built from the Go module proxy, images made locally) brought up
// by `sealts apply` on 3 systemd fleet hosts (id 80): 1 master + 2 nodes, from the plain Clusterfile.
// Checked with the real kubectl: every node Ready, every kube-system pod Running (CoreDNS and
// kube-proxy included), a 2-replica Deployment spread over both nodes, exec, a ClusterIP Service
// through kube-proxy, pod-to-pod across hosts, DNS; then `delete --all` leaves every host as
// fleet-up made it (files, processes, mounts, links, routes, iptables).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { BUSYBOX_IMAGE, busyboxOciArchive } from '../fleet/oci-image.js';
import { trustFleet } from './cli-cluster.js';
import { assertAsBefore, lookAt, type HostLook } from './host-look.js';
import { eventually, kubectl, realClusterfileText, realRootfs, webWorkload } from './real-kube.js';

let fleet: Fleet;
let work: string;
let clusterfile: string;
const pristine = new Map<string, HostLook>();
const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: path.join(work, 'home') });

before(async () => {
  const image = await realRootfs();
  fleet = await fleetUp({ id: 80, n: 3, init: 'systemd' });
  work = await mkdtemp(path.join(os.tmpdir(), 'sealts-real1-'));
  const [m, n1, n2] = fleet.hosts.map((h) => h.ip);
  clusterfile = path.join(work, 'Clusterfile');
  await writeFile(clusterfile, realClusterfileText(fleet, { name: 'real1', masters: [m!], nodes: [n1!, n2!], image }));
  await trustFleet(fleet, path.join(work, 'home'), 'real1');
  for (const h of fleet.hosts) pristine.set(h.ip, await lookAt(fleet, h.ip));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The body of GET / on host:port, fetched inside `pod` (busybox nc: Debian's static busybox wget segfaults). */
async function httpFromPod(master: string, pod: string, host: string, port: number): Promise<string> {
  const script = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 5 ${host} ${port}`;
  const out = await kubectl(fleet, master, ['exec', pod, '--', '/bin/sh', '-c', script]);
  return out.trim().split('\n').pop()!.trim();
}

test('sealts apply brings up a real cluster: 1 master + 2 nodes, nothing by hand', { timeout: 900_000 }, async () => {
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
  const [m, n1, n2] = fleet.hosts.map((h) => h.ip);
  const names = fleet.hosts.map((h) => h.name);

  await eventually('every node Ready', 180_000, async () => {
    const out = await kubectl(fleet, m!, ['get', 'nodes', '--no-headers']);
    return out.trim().split('\n').filter((l) => / Ready /.test(l)).length === 3 || out;
  });
  const nodes = (await kubectl(fleet, m!, ['get', 'nodes', '-o', 'name'])).trim().split('\n').sort();
  assert.deepEqual(nodes, names.map((n) => `node/${n}`).sort());

  // Every kube-system pod Running and ready: etcd, apiserver, controller-manager, scheduler,
  // kube-proxy on each host, CoreDNS (two replicas).
  await eventually('every kube-system pod Running', 240_000, async () => {
    const out = await kubectl(fleet, m!, ['-n', 'kube-system', 'get', 'pods', '--no-headers']);
    const rows = out.trim().split('\n').map((l) => l.split(/\s+/));
    const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns'];
    const ok = rows.length >= 9 && rows.every((f) => f[2] === 'Running' && /^(\d+)\/\1$/.test(f[1]!)) && components.every((c) => rows.some((f) => f[0]!.startsWith(c)));
    return ok || out;
  });
  assert.equal((await kubectl(fleet, m!, ['-n', 'kube-system', 'get', 'ds', 'kube-proxy', '-o', 'jsonpath={.status.numberReady}'])).trim(), '3');

  // A locally built image (static busybox) on both nodes, a 2-replica Deployment spread over them.
  const archive = await busyboxOciArchive();
  for (const n of [n1!, n2!]) await fleet.runOk(n, ['ctr', '-n', 'k8s.io', 'images', 'import', '-'], { input: archive });
  await kubectl(fleet, m!, ['apply', '-f', '-'], webWorkload(BUSYBOX_IMAGE, { spread: 'DoNotSchedule' }));
  await kubectl(fleet, m!, ['rollout', 'status', 'deployment/web', '--timeout=180s']);
  const pods = (await kubectl(fleet, m!, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\\n"}{end}']))
    .trim().split('\n').map((l) => l.split(' ') as [string, string, string]);
  assert.equal(pods.length, 2);
  assert.deepEqual(pods.map((p) => p[1]).sort(), [fleet.host(n1!).name, fleet.host(n2!).name].sort(), 'one replica on each node');

  // kubectl exec (apiserver -> kubelet -> containerd streaming)
  const [p0, p1] = pods;
  assert.equal((await kubectl(fleet, m!, ['exec', p0[0], '--', '/bin/busybox', 'cat', '/www/index.html'])).trim(), p0[0]);

  // Pod to pod across hosts (sealts-bridge routes), both ways.
  assert.equal(await httpFromPod(m!, p0[0], p1[2], 8080), p1[0]);
  assert.equal(await httpFromPod(m!, p1[0], p0[2], 8080), p0[0]);

  // The ClusterIP Service through kube-proxy's rules, from a host: both pods answer.
  const clusterIp = (await kubectl(fleet, m!, ['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const seen = new Set<string>();
  await eventually('the Service reaches both pods', 60_000, async () => {
    const r2 = await fleet.run(n1!, ['curl', '-sf', '--max-time', '3', `http://${clusterIp}/`]);
    if (r2.code === 0) seen.add(r2.stdout.trim());
    return seen.size === 2 || [...seen].join(',');
  });
  assert.deepEqual([...seen].sort(), [p0[0], p1[0]].sort());

  // DNS through CoreDNS: the kubernetes Service by name, and the web Service's short name.
  const dns = await kubectl(fleet, m!, ['exec', p0[0], '--', '/bin/busybox', 'nslookup', 'kubernetes.default.svc.cluster.local']);
  assert.match(dns, /Address:\s*198\.19\.128\.1\b/);
  const web = await kubectl(fleet, m!, ['exec', p0[0], '--', '/bin/busybox', 'nslookup', 'web.default.svc.cluster.local']);
  assert.match(web, new RegExp(`Address:\\s*${clusterIp.replaceAll('.', '\\.')}\\b`));
  assert.ok([p0[0], p1[0]].includes(await httpFromPod(m!, p0[0], clusterIp, 80)), 'the Service from a pod');
});

test('a re-apply of the running cluster changes nothing and keeps it Ready', { timeout: 600_000 }, async () => {
  const m = fleet.hosts[0]!.ip;
  const r = await sealts(['apply', '-f', clusterfile, '--yes']);
  assert.equal(r.code, 0, `re-apply failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /Init first master[^\n]*skipped|skipped[^\n]*Init first master/i);
  const ready = (await kubectl(fleet, m, ['get', 'nodes', '--no-headers'])).trim().split('\n').filter((l) => / Ready /.test(l));
  assert.equal(ready.length, 3);
});

test('sealts delete --all leaves every host as fleet-up made it', { timeout: 600_000 }, async () => {
  const r = await sealts(['delete', '--all', '--yes']);
  assert.equal(r.code, 0, `delete failed:\n${r.stdout}\n${r.stderr}`);
  await assertAsBefore(fleet, pristine, fleet.hosts.map((h) => h.ip));
});
