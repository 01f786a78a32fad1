// Phases on their own, with a fake host exec and a recording Runtime (no fleet): what each does
// with the plan it is given, in which order, and what a failing host stops.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostSpec } from '../../pkg/clusterfile/types.js';
import type { HostExec } from '../../pkg/host/exec.js';
import { literal } from '../../pkg/shell/quote.js';
import { SilentProgress } from '../../pkg/output/index.js';
import { Run } from '../../pkg/phase/index.js';
import { decide, type Facts } from '../../pkg/plan/index.js';
import type { LoadedRootfs } from '../../pkg/rootfs/index.js';
import type { Manifest } from '../../pkg/rootfs/manifest.js';
import type { MemberFacts, Runtime } from '../../pkg/runtime/index.js';
import type { ClusterRun } from '../../pkg/workflow/context.js';
import { decidePhase } from '../../pkg/workflow/phases/decide.js';
import { joinNodes } from '../../pkg/workflow/phases/join-nodes.js';
import { rollRootfs } from '../../pkg/workflow/phases/roll-rootfs.js';
import { emptyState } from '../../pkg/state/index.js';
import { hostSpec, testCluster } from '../runtime/cluster-fixture.js';
import { factsOf, NOT_A_MEMBER } from '../plan/facts-fixture.js';

const V = 'v1.32.8';
const [m1, m2, n1, n2] = [hostSpec('198.18.90.11', ['master']), hostSpec('198.18.90.12', ['master']), hostSpec('198.18.90.21', ['node']), hostSpec('198.18.90.22', ['node'])];
const cluster = testCluster({ hosts: [m1, m2, n1, n2], runtime: { type: 'kubeadm', version: V }, vip: { address: '198.18.90.200', mode: 'iptables' }, network: { podCIDR: '198.19.0.0/17', serviceCIDR: '198.19.128.0/22', dnsDomain: 'cluster.local', plugin: 'none' } });
const manifest = (kubelet: string): Manifest => ({ kubernetesVersion: V, arch: 'amd64', files: [{ path: 'bin/kubelet', sha256: kubelet.repeat(64), mode: '755', size: 1 }] });
const CA_TEXT = 'not a real CA: the fake hosts accept anything\n';
const CA_SHA = createHash('sha256').update(CA_TEXT).digest('hex');
const member: MemberFacts = { joined: true, controlPlane: false, etcdMember: false, caSha256: CA_SHA, version: V, kubeletActive: true };

let pki: string;
/** A local image dir: only its manifest.json is read (its sha256 is what a host must hold). */
let rootfsDir: string;
const MANIFEST_TEXT = '{"note": "the fake hosts check nothing else"}\n';
const MANIFEST_SHA = createHash('sha256').update(MANIFEST_TEXT).digest('hex');
before(async () => {
  pki = await mkdtemp(path.join(os.tmpdir(), 'sealts-phases-'));
  rootfsDir = path.join(pki, 'rootfs');
  await mkdir(rootfsDir);
  await writeFile(path.join(rootfsDir, 'manifest.json'), MANIFEST_TEXT);
  await writeFile(path.join(pki, 'ca.crt'), CA_TEXT);
});
after(() => rm(pki, { recursive: true, force: true }));

/** Every host command, as "ip: first words", in the order they ran. */
const log: string[] = [];

/** The manifest the run's rootfs has (contextFor), for the fake hosts' rootfs check. */
let current: Manifest;
/** Hosts that received the rootfs: their check then finds every wanted file with its sha256. */
const uploaded = new Set<string>();

/**
 * The rootfs check's answer (pkg/rootfs/host-check.ts): the sum cache, "\0\0", a stat record per
 * wanted name the host has, "--- files", the files. A host has the files once it was uploaded to.
 */
function checkAnswer(ip: string, stdin: unknown): string {
  if (!uploaded.has(ip)) return '\0\0--- files\0';
  const names = String(stdin).split('\0').filter(Boolean);
  const file = (n: string) => current.files.find((f) => f.path === n);
  const sha = (n: string) => (n === 'manifest.json' ? MANIFEST_SHA : file(n)!.sha256);
  const cache = Object.fromEntries(names.map((n) => [n, { stat: '1 1 1', sha256: sha(n) }]));
  return `${JSON.stringify(cache)}\0\0${names.map((n) => `1 1 1 ${file(n)?.mode ?? '644'} ${n}\0`).join('')}--- files\0${names.map((n) => `${n}\0`).join('')}`;
}

/** A host that answers like a healthy one: the rootfs check passes once uploaded, the TLS check succeeds (unless `vipFails`). */
function fakeExec(ip: string, vipFails = false): HostExec {
  return {
    host: ip,
    exec: async (cmd, opts) => {
      const text = String(cmd);
      const what = /rootfs\/scripts\/init\.sh (master|node)/.test(text) ? 'init.sh' : text.includes('openssl s_client') ? 'vip check' : text.includes('--- files') ? 'verify' : text.split(' ')[0]!;
      log.push(`${ip}: ${what}`);
      if (what === 'verify') return { code: 0, stdout: checkAnswer(ip, opts?.stdin), stderr: '' };
      if (what === 'vip check') return vipFails ? { code: 1, stdout: '', stderr: 'connect: Connection refused' } : { code: 0, stdout: 'Verify return code: 0 (ok)\n', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    },
    upload: async () => {
      log.push(`${ip}: upload`);
      uploaded.add(ip);
      return { sent: ['bin/kubelet'], skipped: [] };
    },
  };
}

/** The Runtime calls a phase makes, recorded; joins and removals go through `forEach` like kubeadm's. */
function recordingRuntime(ctx: () => ClusterRun): Runtime {
  const rec = (s: string): void => void log.push(s);
  return {
    type: 'kubeadm',
    apiServerPort: 6443,
    facts: async () => member,
    memberFacts: { command: literal('true'), parse: () => member },
    runsNode: () => true,
    requiredPorts: () => [],
    renderConfig: () => ({ files: {} }),
    init: async (h) => rec(`init ${h.ip}`),
    joinMasters: async (ms, via) => rec(`join masters ${ms.map((m) => m.ip).join(',')} via ${via.ip}`),
    joinNodes: async (ns, via, o) => {
      await ctx().forEachHost(ns, async (n) => {
        await o?.before?.(n);
        rec(`join ${n.ip} via ${via.ip}`);
      });
    },
    removeNodes: async () => {},
    removeMasters: async () => {},
    reset: async () => {},
    drain: async (h, via) => rec(`drain ${h.ip} via ${via.ip}`),
    uncordon: async (h, via) => rec(`uncordon ${h.ip} via ${via.ip}`),
    restartChanged: async (h, c) => rec(`restart ${h.ip}${c.kubelet ? ' kubelet' : ''}`),
    kubectl: async () => '',
    fetchPki: async () => [],
    upgradeControlPlane: async (h, v, first) => rec(`upgrade ${h.ip} ${v}${first ? ' apply' : ''}`),
    upgradeNodeConfig: async (h) => rec(`upgrade node ${h.ip}`),
    etcdSnapshot: async () => ({ data: Buffer.alloc(0), members: [] }),
    etcdRestore: async () => {},
  };
}

function contextFor(members: Record<string, Partial<MemberFacts>>, o: { installed?: Manifest; next?: Manifest; vipFails?: string; state?: ReturnType<typeof emptyState>; yes?: boolean } = {}): { run: Run; ctx: ClusterRun } {
  const run = new Run({ command: 'apply', dryRun: false, concurrency: 8, progress: new SilentProgress() });
  const facts = new Map<string, Facts>(cluster.hosts.map((h, i) => {
    const m = members[h.ip];
    return [h.ip, factsOf(m ? { ...member, ...m } : NOT_A_MEMBER, { hostname: `h${i}`, machineId: `m${i}`, rootfsManifest: m ? JSON.stringify(o.installed ?? manifest('a')) : undefined })];
  }));
  current = o.next ?? manifest('a');
  uploaded.clear();
  const rootfs = { dir: rootfsDir, manifest: current, close: async () => {} } as unknown as LoadedRootfs;
  const settings = new Map(cluster.hosts.map((h) => [h.ip, { cgroupV1: false, restrictOomScoreAdj: false, conntrackMaxFixed: false, notes: [] }]));
  const ctx = {
    ...run.ctx, cluster, clusterfilePath: 'Clusterfile', previous: o.state, execs: new Map(cluster.hosts.map((h) => [h.ip, fakeExec(h.ip, h.ip === o.vipFails)])),
    facts, settings, pkiDir: pki, rootfs, vipMode: 'iptables', yes: o.yes ?? true,
  } as unknown as ClusterRun;
  ctx.runtime = recordingRuntime(() => ctx);
  ctx.plan = decide(cluster, { facts, localCaSha256: CA_SHA, rootfs: rootfs.manifest, state: o.state, clusterfile: 'Clusterfile', requiredPorts: () => [] });
  return { run, ctx };
}

const ofRuntime = () => log.filter((l) => !l.includes(': '));

describe('phases with a fake host exec', () => {
  it('roll-rootfs: one host at a time, masters first, each drained through another master, restarted, uncordoned', async () => {
    log.length = 0;
    const cp = { controlPlane: true, etcdMember: true };
    const { run, ctx } = contextFor({ [m1.ip]: cp, [m2.ip]: cp, [n1.ip]: {}, [n2.ip]: {} }, { next: manifest('f') });
    const summary = await run.execute([rollRootfs], ctx);
    assert.equal(summary.ok, true, JSON.stringify(summary.errors));
    assert.deepEqual(ofRuntime(), [
      `drain ${m1.ip} via ${m2.ip}`, `restart ${m1.ip} kubelet`, `uncordon ${m1.ip} via ${m2.ip}`,
      `drain ${m2.ip} via ${m1.ip}`, `restart ${m2.ip} kubelet`, `uncordon ${m2.ip} via ${m1.ip}`,
      `drain ${n1.ip} via ${m1.ip}`, `restart ${n1.ip} kubelet`, `uncordon ${n1.ip} via ${m1.ip}`,
      `drain ${n2.ip} via ${m1.ip}`, `restart ${n2.ip} kubelet`, `uncordon ${n2.ip} via ${m1.ip}`,
    ]);
    // Each host's install (upload, verify, init.sh) happens between its drain and its restart.
    const firstInit = log.indexOf(`${m1.ip}: init.sh`);
    assert.ok(firstInit > log.indexOf(`drain ${m1.ip} via ${m2.ip}`) && firstInit < log.indexOf(`restart ${m1.ip} kubelet`), log.join('\n'));
    assert.ok(!log.slice(0, log.indexOf(`uncordon ${m1.ip} via ${m2.ip}`)).some((l) => l.startsWith(`${m2.ip}: `)), 'the next host waits');
  });

  it('roll-rootfs: nothing running changes (scripts only): no drain, no restart', async () => {
    log.length = 0;
    const scripts: Manifest = { ...manifest('a'), files: [...manifest('a').files, { path: 'scripts/init.sh', sha256: '9'.repeat(64), mode: '755', size: 1 }] };
    const { run, ctx } = contextFor({ [m1.ip]: { controlPlane: true, etcdMember: true }, [m2.ip]: { controlPlane: true, etcdMember: true }, [n1.ip]: {}, [n2.ip]: {} }, { next: scripts });
    assert.equal((await run.execute([rollRootfs], ctx)).ok, true);
    assert.deepEqual(ofRuntime(), []);
    assert.equal(log.filter((l) => l.endsWith(': init.sh')).length, 4);
  });

  it('join-nodes: each node gets its VIP to the apiservers right before its join; one failing VIP stops only that node', async () => {
    log.length = 0;
    const { run, ctx } = contextFor({ [m1.ip]: { controlPlane: true, etcdMember: true } }, { vipFails: n1.ip });
    assert.deepEqual(ctx.plan!.joinNodes.map((h: HostSpec) => h.ip), [n1.ip, n2.ip]);
    const summary = await run.execute([joinNodes], ctx);
    assert.equal(summary.ok, false);
    assert.deepEqual(summary.errors.map((e) => e.host), [n1.ip]);
    assert.deepEqual(ofRuntime(), [`join ${n2.ip} via ${m1.ip}`]);
    assert.ok(log.indexOf(`${n2.ip}: vip check`) < log.indexOf(`join ${n2.ip} via ${m1.ip}`));
  });

  it('decide: hosts to remove are refused without --yes before any other phase runs', async () => {
    const state = emptyState('demo');
    state.hosts['198.18.90.99'] = { roles: ['node'], joinedAt: 'x' };
    const { run, ctx } = contextFor({ [m1.ip]: { controlPlane: true, etcdMember: true } }, { state, yes: false });
    const summary = await run.execute([decidePhase(), rollRootfs], ctx);
    assert.equal(summary.ok, false);
    assert.match(summary.errors[0]!.message, /apply would remove 198\.18\.90\.99 .*--yes/);
    assert.deepEqual(summary.phases.map((p) => p.status), ['failed', 'not-run']);
  });
});


