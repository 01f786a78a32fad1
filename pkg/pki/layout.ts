// Where the pki dir's files go on a host (kubeadm's /etc/kubernetes layout) and with which mode.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors/errors.js';
import { masterDir, nodeDir } from './specs.js';
import type { PkiFile } from './types.js';

export const KUBERNETES_DIR = '/etc/kubernetes';
const PKI = `${KUBERNETES_DIR}/pki`;

const SHARED_PAIRS = ['ca', 'front-proxy-ca', 'etcd/ca', 'apiserver-kubelet-client', 'front-proxy-client', 'etcd/healthcheck-client', 'apiserver-etcd-client'];
const MASTER_PAIRS = ['apiserver', 'etcd/server', 'etcd/peer'];
const MASTER_KUBECONFIGS = ['controller-manager.conf', 'scheduler.conf', 'kubelet.conf'];

/**
 * Everything a master needs under /etc/kubernetes, from a pki dir made by `ensurePki`.
 * super-admin.conf (Kubernetes >= 1.29) goes only to the master that runs `kubeadm init`, as kubeadm does.
 * `mustExist: false`: the list only (reading a master's PKI back), without checking the dir.
 */
export function filesForMaster(dir: string, masterIp: string, options: { initMaster: boolean; mustExist?: boolean }): PkiFile[] {
  const files: PkiFile[] = [];
  const pair = (localBase: string, name: string) => {
    files.push({ local: join(dir, `${localBase}.crt`), remote: `${PKI}/${name}.crt`, mode: 0o644 });
    files.push({ local: join(dir, `${localBase}.key`), remote: `${PKI}/${name}.key`, mode: 0o600 });
  };
  for (const name of SHARED_PAIRS) pair(name, name);
  for (const name of MASTER_PAIRS) pair(`${masterDir(masterIp)}/${name}`, name);
  files.push({ local: join(dir, 'sa.key'), remote: `${PKI}/sa.key`, mode: 0o600 });
  files.push({ local: join(dir, 'sa.pub'), remote: `${PKI}/sa.pub`, mode: 0o644 });
  files.push({ local: join(dir, 'admin.conf'), remote: `${KUBERNETES_DIR}/admin.conf`, mode: 0o600 });
  const superAdmin = join(dir, 'super-admin.conf');
  if (options.initMaster && existsSync(superAdmin)) files.push({ local: superAdmin, remote: `${KUBERNETES_DIR}/super-admin.conf`, mode: 0o600 });
  for (const name of MASTER_KUBECONFIGS) {
    files.push({ local: join(dir, masterDir(masterIp), name), remote: `${KUBERNETES_DIR}/${name}`, mode: 0o600 });
  }
  return options.mustExist === false ? files : requireAll(files, `master ${masterIp}`);
}

/** A worker's kubelet.conf and the CA certificate (never a key, never admin credentials). */
export function filesForNode(dir: string, nodeIp: string): PkiFile[] {
  return requireAll(
    [
      { local: join(dir, 'ca.crt'), remote: `${PKI}/ca.crt`, mode: 0o644 },
      { local: join(dir, nodeDir(nodeIp), 'kubelet.conf'), remote: `${KUBERNETES_DIR}/kubelet.conf`, mode: 0o600 },
    ],
    `node ${nodeIp}`,
  );
}

function requireAll(files: PkiFile[], who: string): PkiFile[] {
  const missing = files.filter((f) => !existsSync(f.local));
  if (missing.length > 0) {
    throw new UserError(`${who}: the pki dir lacks ${missing.map((f) => f.local).join(', ')}; run ensurePki for this host first`);
  }
  return files;
}
