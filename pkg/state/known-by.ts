// Which clusters of the sealts home know a host: those whose state.json lists its IP. Ad-hoc
// `sealts exec/cp --hosts` checks their known_hosts too, so a host whose key changed since a cluster
// recorded it is refused there as it is with `--cluster`.
import { listClusters, openState } from './store.js';

export interface ClusterKnownHosts {
  /** Per asked IP: the known_hosts files of the clusters that list it (sorted by cluster, no duplicates). */
  byIp: Map<string, string[]>;
  /**
   * One line per cluster whose state.json cannot be read (corrupt, newer schema, unreadable). Such a
   * cluster's known_hosts is still checked for every asked IP (it only holds keys of hosts that
   * cluster met, so unrelated hosts are not affected) rather than letting a damaged file switch
   * the check off.
   */
  warnings: string[];
}

export async function clusterKnownHosts(ips: readonly string[]): Promise<ClusterKnownHosts> {
  const byIp = new Map<string, string[]>(ips.map((ip) => [ip, []]));
  const warnings: string[] = [];
  const states = await Promise.all(
    (await listClusters()).map(async (name) => {
      const cs = openState(name);
      try {
        return { cs, hosts: Object.keys((await cs.read())?.hosts ?? {}) };
      } catch (e) {
        warnings.push(`cluster ${name}: cannot read its hosts (${(e as Error).message}); checking its known_hosts for every host`);
        return { cs, hosts: ips };
      }
    }),
  );
  for (const { cs, hosts } of states) {
    for (const ip of hosts) {
      const files = byIp.get(ip);
      if (files && !files.includes(cs.knownHostsFile)) files.push(cs.knownHostsFile);
    }
  }
  return { byIp, warnings: warnings.sort() };
}
