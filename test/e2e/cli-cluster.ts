// The set-up every CLI e2e test of a kubeadm cluster repeats: a work dir with a stand-in rootfs, a
// Clusterfile naming the fleet's masters and nodes (root by key, VIP in iptables mode), and a
// SEALTS_HOME that already trusts the fleet's host keys.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Fleet } from '../fleet/index.js';
import { buildRootfs } from '../../pkg/rootfs/index.js';
import { standinBinDir } from '../standins/index.js';
import { testVip } from './runtime-harness.js';

export interface CliCluster {
  work: string;
  clusterfile: string;
  /** SEALTS_HOME for the CLI. */
  home: string;
}

export async function cliCluster(fleet: Fleet, o: { name: string; masters: string[]; nodes: string[]; version: string; image?: 'rootfs' | 'rootfs.tar.gz' }): Promise<CliCluster> {
  const work = await mkdtemp(path.join(os.tmpdir(), `sealts-${o.name}-`));
  const image = o.image ?? 'rootfs';
  await buildRootfs({ binDir: await standinBinDir(o.version), kubernetesVersion: o.version, out: path.join(work, image) });
  const clusterfile = path.join(work, 'Clusterfile');
  await writeFile(clusterfile, [
    'apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata:', `  name: ${o.name}`, 'spec:', `  image: ${image}`,
    `  runtime: {type: kubeadm, version: ${o.version}}`, `  ssh: {user: root, pk: ${fleet.keyPath}}`,
    `  vip: {address: ${testVip(fleet)}, mode: iptables}`,
    '  hosts:', `    - ips: [${o.masters.join(', ')}]`, '      roles: [master]', `    - ips: [${o.nodes.join(', ')}]`, '      roles: [node]', '',
  ].join('\n'));
  // sealts trusts only known host keys: give it the fleet's
  const home = path.join(work, 'home');
  await mkdir(path.join(home, o.name), { recursive: true, mode: 0o700 });
  await copyFile(fleet.knownHostsPath, path.join(home, o.name, 'known_hosts'));
  return { work, clusterfile, home };
}
