// The set-up every CLI e2e test of a stand-in cluster repeats: a work dir with a stand-in rootfs, a
// Clusterfile naming the fleet's masters and nodes (root by key unless told, VIP in the fleet's
// subnet), and a SEALTS_HOME that already trusts the fleet's host keys.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Fleet } from '../fleet/index.js';
import { buildRootfs } from '../../pkg/rootfs/index.js';
import { k0sStandinBinDir, standinBinDir } from '../standins/index.js';
import { testVip } from './runtime-harness.js';

export interface ClusterfileOptions {
  name: string;
  masters: string[];
  nodes: string[];
  version: string;
  /** The rootfs, relative to the Clusterfile or absolute. */
  image: string;
  /** The `spec.ssh` flow map; default root by the fleet's key. */
  ssh?: string;
  vipMode?: 'iptables' | 'auto';
  /** kubeadm (default) or k0s (version vX.Y.Z+k0s.N; the rootfs is the k0s stand-in). */
  runtime?: 'kubeadm' | 'k0s';
}

export function clusterfileText(fleet: Fleet, o: ClusterfileOptions): string {
  return [
    'apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata:', `  name: ${o.name}`, 'spec:', `  image: ${o.image}`,
    `  runtime: {type: ${o.runtime ?? 'kubeadm'}, version: ${o.version}}`, `  ssh: ${o.ssh ?? `{user: root, pk: ${fleet.keyPath}}`}`,
    `  vip: {address: ${testVip(fleet)}, mode: ${o.vipMode ?? 'iptables'}}`,
    // The stand-ins run no pods: no pod network to keep.
    '  network: {plugin: none}',
    '  hosts:', `    - ips: [${o.masters.join(', ')}]`, '      roles: [master]', `    - ips: [${o.nodes.join(', ')}]`, '      roles: [node]', '',
  ].join('\n');
}

/** sealts trusts only known host keys: give the cluster `name` in `home` the fleet's. */
export async function trustFleet(fleet: Fleet, home: string, name: string): Promise<void> {
  await mkdir(path.join(home, name), { recursive: true, mode: 0o700 });
  await copyFile(fleet.knownHostsPath, path.join(home, name, 'known_hosts'));
}

export interface CliCluster {
  work: string;
  clusterfile: string;
  /** SEALTS_HOME for the CLI. */
  home: string;
}

/** A fresh work dir with the rootfs (built from the stand-ins), the Clusterfile and a trusting home. */
export async function cliCluster(fleet: Fleet, o: Omit<ClusterfileOptions, 'image'> & { image?: 'rootfs' | 'rootfs.tar.gz' }): Promise<CliCluster> {
  const work = await mkdtemp(path.join(os.tmpdir(), `sealts-${o.name}-`));
  const image = o.image ?? 'rootfs';
  const binDir = o.runtime === 'k0s' ? await k0sStandinBinDir(o.version) : await standinBinDir(o.version);
  await buildRootfs({ binDir, kubernetesVersion: o.version, out: path.join(work, image) });
  const clusterfile = path.join(work, 'Clusterfile');
  await writeFile(clusterfile, clusterfileText(fleet, { ...o, image }));
  const home = path.join(work, 'home');
  await trustFleet(fleet, home, o.name);
  return { work, clusterfile, home };
}
