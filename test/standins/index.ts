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

export async function standinBinDir(kubernetesVersion: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-standins-'));
  for (const [name, file] of Object.entries(STANDINS)) {
    const text = (await readFile(path.join(HERE, file), 'utf8')).replaceAll('@@KUBERNETES_VERSION@@', kubernetesVersion);
    await writeFile(path.join(dir, name), text);
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}
