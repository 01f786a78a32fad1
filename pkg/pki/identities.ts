// Which hostname each host gets in its certificates when no host was asked (offline `cert generate`).
import { isIP } from 'node:net';
import { masters, nodes, type Cluster } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import { defaultHostname } from './names.js';
import type { HostIdentity } from './types.js';

/**
 * Parse `--hostname IP=NAME` values into a map. An IP that is not a host of the cluster is bad
 * input (a typo would otherwise silently fall back to the derived name).
 */
export function parseHostnameFlags(values: string[], cluster: Cluster): Map<string, string> {
  const known = new Set(cluster.hosts.map((h) => h.ip));
  const map = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const [ip, name] = [v.slice(0, eq), v.slice(eq + 1)];
    if (eq < 1 || !isIP(ip) || name === '') throw new UserError(`--hostname ${JSON.stringify(v)}: expected IP=NAME`);
    if (!known.has(ip)) throw new UserError(`--hostname ${v}: ${ip} is not a host of ${cluster.source ?? 'the cluster'}`);
    map.set(ip, name);
  }
  return map;
}

/**
 * Masters and nodes with their names: from `hostnames` (facts gathered over SSH, or --hostname
 * flags), else the IP-derived name "ip-a-b-c-d". Apply must pass the real hostnames: kubelet
 * registers as its hostname, and its certificate must say the same.
 */
export function identitiesOf(cluster: Cluster, hostnames: ReadonlyMap<string, string> = new Map()): { masters: HostIdentity[]; nodes: HostIdentity[] } {
  const withName = (ip: string) => ({ ip, hostname: hostnames.get(ip) ?? defaultHostname(ip) });
  return { masters: masters(cluster).map((h) => withName(h.ip)), nodes: nodes(cluster).map((h) => withName(h.ip)) };
}
