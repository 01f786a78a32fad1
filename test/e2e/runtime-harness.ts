// Drives the kubeadm Runtime directly on a fleet (through nsenter, not SSH) with the stand-in
// binaries: the parts of apply that are the runtime's, without the CLI around them.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Fleet } from '../fleet/index.js';
import type { Cluster, HostSpec } from '../../pkg/clusterfile/types.js';
import { masters, nodes } from '../../pkg/clusterfile/types.js';
import { ensurePki } from '../../pkg/pki/index.js';
import { buildRootfs, loadRootfs, pushRootfs, runInitScript, type LoadedRootfs } from '../../pkg/rootfs/index.js';
import { KubeadmRuntime } from '../../pkg/runtime/kubeadm/kubeadm.js';
import { MultiHostError } from '../../pkg/errors/errors.js';
import { fleetExec } from '../runtime/fleet-exec.js';
import { hostSpec, testCluster } from '../runtime/cluster-fixture.js';
import { standinBinDir } from '../standins/index.js';
import type { HostExec } from '../../pkg/host/exec.js';

/** The VIP tests use: an unused address of the fleet's own 198.18.K.0/24, so no traffic can leave it. */
export function testVip(fleet: Fleet): string {
  return fleet.hosts[0]!.ip.replace(/\.\d+$/, '.200');
}

export interface Harness {
  cluster: Cluster;
  runtime: KubeadmRuntime;
  rootfs: LoadedRootfs;
  pkiDir: string;
  exec(ip: string): HostExec;
  /** Push + init.sh on hosts (the PushRootfs phase). */
  prepare(hosts: readonly HostSpec[]): Promise<void>;
  close(): Promise<void>;
}

export async function harness(fleet: Fleet, roles: Array<'master' | 'node'>, version = 'v1.32.8'): Promise<Harness> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'sealts-e2e-'));
  const image = path.join(work, 'rootfs.tar.gz');
  await buildRootfs({ binDir: await standinBinDir(version), kubernetesVersion: version, out: image });
  const rootfs = await loadRootfs(image);
  const hosts = roles.map((r, i) => hostSpec(fleet.hosts[i]!.ip, [r]));
  const cluster = testCluster({ hosts, runtime: { type: 'kubeadm', version }, vip: { address: testVip(fleet), mode: 'iptables' }, pki: { caValidityDays: 3650, leafValidityDays: 365, keyAlgorithm: 'RSA-2048', certSANs: [] } });
  const nameOf = (h: HostSpec) => fleet.host(h.ip).name;
  const pkiDir = path.join(work, 'pki');
  await ensurePki(pkiDir, cluster, masters(cluster).map((h) => ({ ip: h.ip, hostname: nameOf(h) })), nodes(cluster).map((h) => ({ ip: h.ip, hostname: nameOf(h) })));
  const execs = new Map(fleet.hosts.map((h) => [h.ip, fleetExec(fleet, h)]));
  const exec = (ip: string) => execs.get(ip)!;
  const forEach = async <T>(hs: readonly HostSpec[], fn: (h: HostSpec) => Promise<T>) => {
    const results = await Promise.allSettled(hs.map(fn));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ host: hs[i]!.ip, error: r.reason as Error }] : []));
    if (failures.length > 0) throw new MultiHostError(failures);
  };
  const runtime = new KubeadmRuntime({ cluster, exec: (h) => exec(h.ip), nodeName: nameOf, pkiDir, proxyMode: () => 'iptables', forEach, readyTimeoutMs: 30_000 });
  return {
    cluster,
    runtime,
    rootfs,
    pkiDir,
    exec,
    prepare: (hs) => forEach(hs, async (h) => {
      await pushRootfs(exec(h.ip), rootfs);
      await runInitScript(exec(h.ip));
    }),
    close: async () => {
      await rootfs.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** The stand-ins' call log on a host: "kubeadm init ...", "kubectl drain ...", in order. */
export async function standinCalls(fleet: Fleet, ip: string): Promise<string[]> {
  return (await standinLog(fleet, ip)).map((e) => e.call).filter((l) => !l.startsWith('kubelet ') && !l.startsWith('kubeadm.done'));
}

/** Every logged call with its time (seconds), including `kubeadm.done <cmd>` end marks. */
export async function standinLog(fleet: Fleet, ip: string): Promise<Array<{ t: number; call: string }>> {
  const r = await fleet.run(ip, ['cat', '/var/log/sealts-standins.log']);
  return r.stdout.split('\n').filter(Boolean).map((l) => ({ t: Number(l.slice(0, l.indexOf(' '))), call: l.slice(l.indexOf(' ') + 1) }));
}
