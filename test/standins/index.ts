// Assembles a bin dir of the test stand-ins (see each file's header: they are NOT the real tools)
// named as the real binaries, for `buildRootfs({ binDir })` in e2e tests.
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** real name -> stand-in file in this folder */
export const STANDINS: Record<string, string> = {
  kubeadm: 'kubeadm-standin',
  kubelet: 'kubelet-standin',
  kubectl: 'kubectl-standin',
  'apiserver-standin': 'apiserver-standin',
  'etcd-standin': 'etcd-standin',
};

/** A k0s rootfs: real name -> stand-in file. Helpers keep their stand-in names (k0s runs them from
 * its own directory); none is named kubeadm, kubelet or kubectl, which a k0s host does not have. */
export const K0S_STANDINS: Record<string, string> = {
  k0s: 'k0s-standin',
  'apiserver-standin': 'apiserver-standin',
  'etcd-standin': 'etcd-standin',
  'kubectl-standin': 'kubectl-standin',
};

export async function standinBinDir(kubernetesVersion: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-standins-'));
  for (const [name, file] of Object.entries(STANDINS)) {
    const text = (await readFile(path.join(HERE, file), 'utf8')).replaceAll('@@KUBERNETES_VERSION@@', kubernetesVersion);
    await writeFile(path.join(dir, name), text);
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

/** The stand-ins of a k0s rootfs; `k0sVersion` is a k0s release (v1.36.3+k0s.0), its Kubernetes part what kubectl-standin reports. */
export async function k0sStandinBinDir(version: string): Promise<string> {
  const k0sVersion = version.startsWith('v') ? version : `v${version}`;
  if (!/^v\d+\.\d+\.\d+\+k0s\.\d+$/.test(k0sVersion)) throw new Error(`k0sStandinBinDir: ${version} is not a k0s version (vX.Y.Z+k0s.N)`);
  const kubernetesVersion = k0sVersion.split('+')[0]!;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-k0s-standins-'));
  for (const [name, file] of Object.entries(K0S_STANDINS)) {
    const text = (await readFile(path.join(HERE, file), 'utf8')).replaceAll('@@K0S_VERSION@@', k0sVersion).replaceAll('@@KUBERNETES_VERSION@@', kubernetesVersion);
    await writeFile(path.join(dir, name), text);
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}
