// Which kubeadm config API a Kubernetes version speaks (REFERENCE-kubeadm.md, "kubeadm config API").
import { UserError } from '../../errors/errors.js';

export type KubeadmApiVersion = 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4';

export interface KubeVersion {
  major: number;
  minor: number;
  patch: number;
  /** Canonical form with the leading `v`, as kubeadm's `kubernetesVersion` wants it. */
  text: string;
}

export function parseKubeVersion(v: string): KubeVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
  if (!m) throw new UserError(`Kubernetes version ${JSON.stringify(v)}: expected vMAJOR.MINOR.PATCH, e.g. v1.32.8`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { major, minor, patch, text: `v${major}.${minor}.${patch}` };
}

/** v1beta4 from 1.31 on; v1beta3 for 1.22..1.30; older versions are not supported by sealts. */
export function kubeadmApiVersion(v: KubeVersion): KubeadmApiVersion {
  if (v.major !== 1 || v.minor < 22) {
    throw new UserError(`Kubernetes ${v.text} is not supported: sealts deploys 1.22 and later`);
  }
  return v.minor >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}
