// The runtime documents a Clusterfile may carry next to its Cluster: kept verbatim and handed to
// the runtime, which merges them over what it renders. Anything else is a mistake worth a line.
import { API_VERSION } from './fields.js';
import { SEALER_API_VERSIONS, SEALOS_API_VERSION } from './foreign.js';

/** kind -> the apiVersions accepted for it. */
export const OVERRIDE_KINDS: Readonly<Record<string, readonly string[]>> = {
  InitConfiguration: ['kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4'],
  ClusterConfiguration: ['kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4'],
  JoinConfiguration: ['kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4'],
  KubeletConfiguration: ['kubelet.config.k8s.io/v1beta1'],
  KubeProxyConfiguration: ['kubeproxy.config.k8s.io/v1alpha1'],
  ClusterConfig: ['k0s.k0sproject.io/v1beta1'],
};

const CLUSTER_API_VERSIONS = [API_VERSION, ...SEALER_API_VERSIONS, SEALOS_API_VERSION];

/** Why a non-Cluster document is not accepted (and which field to point at), or undefined. */
export function overrideKindProblem(apiVersion: string, kind: string): { on: 'apiVersion' | 'kind'; message: string } | undefined {
  if (kind === 'Cluster') {
    return { on: 'apiVersion', message: `Cluster apiVersion "${apiVersion}" is not supported; use ${CLUSTER_API_VERSIONS.join(', ')}` };
  }
  const versions = OVERRIDE_KINDS[kind];
  if (!versions) {
    return { on: 'kind', message: `unknown document kind "${kind}"; expected Cluster, ${Object.keys(OVERRIDE_KINDS).join(', ')}` };
  }
  if (!versions.includes(apiVersion)) {
    return { on: 'apiVersion', message: `${kind}: apiVersion "${apiVersion}" is not supported; use ${versions.join(' or ')}` };
  }
  return undefined;
}
