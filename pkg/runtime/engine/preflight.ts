// Preflight: every problem on every host, named per host, before anything changes.
import { createHash } from 'node:crypto';
import type { Cluster } from '../../clusterfile/types.js';
import type { HostFacts } from './facts.js';
import { requiredPorts } from './ports.js';

/** More clock difference than this breaks certificate validity and etcd. */
const MAX_SKEW_S = 30;

export interface PreflightInput {
  cluster: Cluster;
  facts: ReadonlyMap<string, HostFacts>;
  imageArch: string;
  /** The cluster CA certificate when sealts already has one (re-apply), to recognise our hosts. */
  caPem?: string;
}

/** Returns [host, problem] pairs; empty = go. */
export function preflightProblems(p: PreflightInput): Array<{ host: string; problem: string }> {
  const out: Array<{ host: string; problem: string }> = [];
  const byName = new Map<string, string[]>();
  const byMachine = new Map<string, string[]>();
  const ourCa = p.caPem ? createHash('sha256').update(p.caPem).digest('hex') : undefined;
  for (const h of p.cluster.hosts) {
    const f = p.facts.get(h.ip);
    if (!f) continue;
    if (f.arch !== p.imageArch) out.push({ host: h.ip, problem: `arch ${f.arch} does not match the rootfs image (${p.imageArch})` });
    if (Math.abs(f.clock - f.readAt) > MAX_SKEW_S) out.push({ host: h.ip, problem: `clock is ${Math.round(f.clock - f.readAt)} s off this machine's (max ${MAX_SKEW_S} s)` });
    if (f.joined && f.caSha256 && ourCa && f.caSha256 !== ourCa) out.push({ host: h.ip, problem: 'already belongs to another Kubernetes cluster (its /etc/kubernetes/pki/ca.crt is not this cluster\'s CA); run `kubeadm reset` there or remove it from the Clusterfile' });
    if (f.joined && !ourCa) out.push({ host: h.ip, problem: 'already runs Kubernetes (/etc/kubernetes/kubelet.conf) but sealts has no state for this cluster' });
    // A host already in the cluster listens on these ports itself; only a new host must have them free.
    if (!f.joined) {
      const taken = requiredPorts(h.roles).filter((port) => f.listeningPorts.includes(port));
      if (taken.length > 0) out.push({ host: h.ip, problem: `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use (needed by ${h.roles.includes('master') ? 'a master' : 'a node'}; see \`ss -tlnp\` there)` });
    }
    byName.set(f.hostname, [...(byName.get(f.hostname) ?? []), h.ip]);
    if (f.machineId) byMachine.set(f.machineId, [...(byMachine.get(f.machineId) ?? []), h.ip]);
  }
  for (const [name, ips] of byName) if (ips.length > 1) for (const ip of ips) out.push({ host: ip, problem: `hostname ${name} is not unique (${ips.join(', ')})` });
  for (const [, ips] of byMachine) if (ips.length > 1) for (const ip of ips) out.push({ host: ip, problem: `/etc/machine-id is not unique (${ips.join(', ')})` });
  return out;
}
