// The ports kubeadm's components bind on a host: a new host where one is already taken would fail
// halfway through init/join, so preflight refuses it up front.

/** apiserver, etcd client/peer, kubelet, controller-manager, scheduler. */
export const MASTER_PORTS: readonly number[] = [6443, 2379, 2380, 10250, 10257, 10259];
/** kubelet. */
export const NODE_PORTS: readonly number[] = [10250];

export function requiredPorts(roles: readonly string[]): readonly number[] {
  return roles.includes('master') ? MASTER_PORTS : NODE_PORTS;
}
