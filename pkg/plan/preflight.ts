// Preflight: every problem on every host, named per host, before anything changes.
import type { Cluster } from '../clusterfile/types.js';
import type { Observed, Problem } from './plan.js';

/** More clock difference than this breaks certificate validity and etcd. */
const MAX_SKEW_S = 30;

/** What makes a host unfit, whatever the plan: arch, clock, names, ports a new host needs. Empty = go. */
export function preflightProblems(c: Cluster, o: Observed): Problem[] {
  const out: Problem[] = [];
  const byName = new Map<string, string[]>();
  const byMachine = new Map<string, string[]>();
  for (const h of c.hosts) {
    const f = o.facts.get(h.ip);
    if (!f) continue;
    if (o.rootfs && f.arch !== o.rootfs.arch) out.push({ host: h.ip, problem: `arch ${f.arch} does not match the rootfs image (${o.rootfs.arch})` });
    if (Math.abs(f.clock - f.readAt) > MAX_SKEW_S) out.push({ host: h.ip, problem: `clock is ${Math.round(f.clock - f.readAt)} s off this machine's (max ${MAX_SKEW_S} s)` });
    // A host already in the cluster listens on these ports itself; only a new host must have them free.
    if (!f.member.joined && !f.member.controlPlane) {
      const taken = o.requiredPorts(h.roles).filter((port) => f.listeningPorts.includes(port));
      if (taken.length > 0) out.push({ host: h.ip, problem: `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use (needed by ${h.roles.includes('master') ? 'a master' : 'a node'}; see \`ss -tlnp\` there)` });
    }
    byName.set(f.hostname, [...(byName.get(f.hostname) ?? []), h.ip]);
    if (f.machineId) byMachine.set(f.machineId, [...(byMachine.get(f.machineId) ?? []), h.ip]);
  }
  for (const [name, ips] of byName) if (ips.length > 1) for (const ip of ips) out.push({ host: ip, problem: `hostname ${name} is not unique (${ips.join(', ')})` });
  for (const [, ips] of byMachine) if (ips.length > 1) for (const ip of ips) out.push({ host: ip, problem: `/etc/machine-id is not unique (${ips.join(', ')})` });
  return out;
}
