// k0s' ClusterConfig for one controller: rendered from the Cluster (the controller's own address and
// etcd peer address, the VIP's name as the external address, the apiserver names sealts' PKI gives
// every master, the Clusterfile's network), then the Clusterfile's ClusterConfig document merged
// over it field by field (maps merge per key, the user's scalars and lists win).
import { stringify } from 'yaml';
import { masters, type Cluster, type HostSpec } from '../../clusterfile/types.js';
import { API_SERVER_NAME } from '../../vip/index.js';
import { deepMerge, isPlainObject, type Plain } from '../merge.js';
import { API_PORT, K0S_API_PORT } from './paths.js';

export interface K0sConfigInput {
  cluster: Cluster;
  host: HostSpec;
  /** Node names of the masters (their hostnames), for the serving certificate. */
  masterNames: readonly string[];
  proxyMode: 'ipvs' | 'iptables';
}

/** The Clusterfile's ClusterConfig document, without apiVersion and kind. */
function userConfig(cluster: Cluster): Plain | undefined {
  const o = cluster.overrides.find((x) => x.kind === 'ClusterConfig');
  if (!o) return undefined;
  const { apiVersion: _a, kind: _k, ...body } = o.body;
  return body;
}

/** The API port the cluster serves on: the user's spec.api.port, else 6443 (the VIP forwards it). */
export function apiPortOf(cluster: Cluster): number {
  const api = userConfig(cluster)?.spec;
  const port = isPlainObject(api) && isPlainObject(api.api) ? api.api.port : undefined;
  return typeof port === 'number' ? port : API_PORT;
}

export function controllerConfig(i: K0sConfigInput): Plain {
  const { cluster, host } = i;
  const sans = [...new Set([API_SERVER_NAME, ...i.masterNames, ...masters(cluster).map((m) => m.ip), ...(cluster.vip.address ? [cluster.vip.address] : []), ...cluster.pki.certSANs])];
  const ours: Plain = {
    apiVersion: 'k0s.k0sproject.io/v1beta1',
    kind: 'ClusterConfig',
    metadata: { name: cluster.name },
    spec: {
      api: {
        address: host.ip,
        // The VIP's name: nodes resolve it to the VIP, masters to themselves (pkg/vip), so worker
        // tokens and kubeconfigs work from every host, as apiserver.cluster.local does for kubeadm.
        externalAddress: API_SERVER_NAME,
        sans,
        port: API_PORT,
        k0sApiPort: K0S_API_PORT,
      },
      storage: { type: 'etcd', etcd: { peerAddress: host.ip } },
      network: {
        // sealts-bridge (or the user's own network with plugin none): k0s deploys no CNI of its own.
        provider: 'custom',
        podCIDR: cluster.network.podCIDR,
        serviceCIDR: cluster.network.serviceCIDR,
        clusterDomain: cluster.network.dnsDomain,
        kubeProxy: { mode: i.proxyMode },
      },
      // The fleet sealts installs is often offline; k0s would otherwise try to report usage.
      telemetry: { enabled: false },
    },
  };
  const user = userConfig(cluster);
  return user ? deepMerge(ours, user) : ours;
}

export function toYaml(doc: Plain): string {
  return stringify(doc, { lineWidth: 0 });
}
