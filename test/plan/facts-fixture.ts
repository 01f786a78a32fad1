// Host facts as gather-facts would read them from a plain fleet host (cgroup v2, every capability,
// a real resolver, no ip_vs, only sshd listening), for tests that feed facts in directly.
import type { HostFacts } from '../../pkg/host/facts.js';
import type { Facts } from '../../pkg/plan/index.js';
import type { MemberFacts } from '../../pkg/runtime/index.js';

export function hostFacts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    hostname: 'h', machineId: 'm', arch: 'amd64', ipvs: false, ipvsadm: false, swapDevices: 0, clock: 1000, readAt: 1000, listeningPorts: [22],
    cgroupVersion: 2, capSysResource: true, nameservers: ['198.18.0.1'], resolvedUpstream: false, conntrackMaxSettable: true, zstd: true, python3: true, fileSums: {}, activeUnits: [], hostsEntries: [],
    ...over,
  };
}

/** A host in no cluster. */
export const NOT_A_MEMBER: MemberFacts = { joined: false, controlPlane: false, etcdMember: false, kubeletActive: false };

export function factsOf(member: MemberFacts = NOT_A_MEMBER, over: Partial<HostFacts> = {}): Facts {
  return { ...hostFacts(over), member };
}
