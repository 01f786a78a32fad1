// The ports kubeadm's components bind on a host: a new host where one is already taken would fail
// halfway through init/join, so preflight refuses it up front.

/** apiserver, etcd client/peer, kubelet, controller-manager, scheduler. */
export const MASTER_PORTS: readonly number[] = [6443, 2379, 2380, 10250, 10257, 10259];
/** kubelet. */
export const NODE_PORTS: readonly number[] = [10250];

export function requiredPorts(roles: readonly string[]): readonly number[] {
  return roles.includes('master') ? MASTER_PORTS : NODE_PORTS;
}

/**
 * The TCP ports something listens on, from `ss -Htln` (no header; columns State Recv-Q Send-Q
 * Local:Port Peer:Port). The local address is `0.0.0.0:22`, `[::]:22`, `*:22` or `127.0.0.1%lo:53`:
 * the port is after the last colon.
 */
export function parseListeningPorts(ssOutput: string): number[] {
  const ports = new Set<number>();
  for (const line of ssOutput.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    if (!local) continue;
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(port) && port > 0 && port < 65536) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}
