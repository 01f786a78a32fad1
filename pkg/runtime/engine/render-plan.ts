// What `sealts plan -o yaml` can show of the runtime: the kubeadm documents apply would write, per
// host, before any host is contacted. Node names are not known until facts are gathered, so they
// are the placeholder pkg/pki uses offline ("ip-198-18-0-11"); tokens and keys are placeholders.
import type { Cluster } from '../../clusterfile/types.js';
import { defaultHostname } from '../../pki/index.js';
import { KubeadmRuntime } from '../kubeadm/kubeadm.js';

/** host IP -> { remote file path -> YAML text } */
export function renderKubeadmPlan(cluster: Cluster): Record<string, Record<string, string>> {
  const vipMode = cluster.vip.mode === 'ipvs' ? 'ipvs' : 'iptables';
  const rt = new KubeadmRuntime({
    cluster,
    connect: () => Promise.reject(new Error('renderKubeadmPlan does not connect')),
    nodeName: (h) => defaultHostname(h.ip),
    pkiDir: '',
    vipMode,
    forEach: async () => {},
  });
  const out: Record<string, Record<string, string>> = {};
  for (const h of cluster.hosts) {
    out[h.ip] = rt.renderConfig(cluster, h).files;
  }
  return out;
}
