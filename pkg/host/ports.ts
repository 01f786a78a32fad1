// What `ss -Htln` says a host listens on: a fact (a port a new host needs must be free).

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
