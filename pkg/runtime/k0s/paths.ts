// The host-side paths, units and ports the k0s runtime owns, in one place so reset removes exactly them.
export const K0S = 'k0s';
export const CONFIG_DIR = '/etc/k0s';
export const CONFIG = `${CONFIG_DIR}/k0s.yaml`;
/** The join token k0s' unit reads (as k0sctl keeps it); overwritten once the host has joined. */
export const TOKEN_FILE = `${CONFIG_DIR}/k0stoken`;
export const TOKEN_SPENT = '# spent: overwritten by sealts after the join\n';
export const DATA_DIR = '/var/lib/k0s';
export const PKI_DIR = `${DATA_DIR}/pki`;
/** The admin kubeconfig k0s writes on a controller (system:masters, server https://localhost:6443). */
export const ADMIN_CONF = `${PKI_DIR}/admin.conf`;
/** The kubelet's kubeconfig k0s writes on a worker once it has bootstrapped. */
export const WORKER_KUBECONFIG = `${DATA_DIR}/kubelet.conf`;
export const CONTROLLER_UNIT = 'k0scontroller';
export const WORKER_UNIT = 'k0sworker';
export const UNIT_DIR = '/etc/systemd/system';
export const ROOT_KUBECONFIG = '/root/.kube/config';

export const API_PORT = 6443;
export const K0S_API_PORT = 9443;

/** What `k0s reset` leaves and sealts removes (with /etc/sealts, where sealts put the host's own inputs). */
export const LEFTOVERS = [CONFIG_DIR, DATA_DIR, '/run/k0s', '/etc/cni/net.d', '/var/lib/cni', ROOT_KUBECONFIG, '/root/.kube/cache', '/etc/sealts'];

/** apiserver, k0s API, etcd client/peer, kubelet (with a worker), controller-manager, scheduler. */
const CONTROLLER_PORTS: readonly number[] = [API_PORT, K0S_API_PORT, 2379, 2380, 10257, 10259];
/** The kubelet. */
const WORKER_PORTS: readonly number[] = [10250];

export function requiredPorts(roles: readonly string[]): readonly number[] {
  if (!roles.includes('master')) return WORKER_PORTS;
  return roles.includes('node') ? [...CONTROLLER_PORTS, ...WORKER_PORTS] : CONTROLLER_PORTS;
}
