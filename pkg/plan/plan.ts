// desired (Cluster) + observed (state.json) -> the ordered steps an apply takes, each with its hosts
// and what it would do to each. Pure: no I/O, so `plan` and tests see exactly what `apply` would do.
// Host facts gathered over SSH refine this at apply time (e.g. a host already running kubelet).
import { masters, nodes, type Cluster, type HostSpec } from '../clusterfile/types.js';
import type { StateFile } from '../state/schema.js';

export type StepId =
  | 'connect'
  | 'gather-facts'
  | 'push-rootfs'
  | 'certs'
  | 'init-master0'
  | 'join-masters'
  | 'join-nodes'
  | 'vip'
  | 'pod-network'
  | 'delete-hosts'
  | 'kubeconfig'
  | 'save-state';

export interface HostIntent {
  host: string;
  intent: string;
  /** The Clusterfile's host (absent for a host only the state knows, i.e. one being removed). */
  spec?: HostSpec;
}

export interface PlanStep {
  id: StepId;
  title: string;
  /** Per-host work; empty for local steps. */
  hosts: HostIntent[];
  /** Local (or phase-wide) work, when the step does not act per host. */
  local?: string;
  /** False when there is nothing to do (the step is shown as skipped). */
  needed: boolean;
}

export function planApply(c: Cluster, state?: StateFile): PlanStep[] {
  const joined = new Set(Object.keys(state?.hosts ?? {}));
  const desired = new Set(c.hosts.map((h) => h.ip));
  const allMasters = masters(c);
  const master0 = allMasters[0];
  const fresh = master0 === undefined || !joined.has(master0.ip);
  const newMasters = allMasters.slice(1).filter((h) => !joined.has(h.ip));
  const newNodes = nodes(c).filter((h) => !joined.has(h.ip));
  const removed = Object.entries(state?.hosts ?? {}).filter(([ip]) => !desired.has(ip));
  const endpoint = (h: HostSpec) => `${h.ssh.user}@${h.ip}:${h.ssh.port}${h.ssh.bastion ? ` via ${h.ssh.bastion.host}` : ''}`;
  const runtime = `${c.runtime.type} ${c.runtime.version}`;

  const steps: PlanStep[] = [
    step('connect', 'Connect', c.hosts.map((h) => ({ host: h.ip, spec: h, intent: `ssh ${endpoint(h)}` }))),
    step('gather-facts', 'Gather host facts', c.hosts.map((h) => ({ host: h.ip, spec: h, intent: 'read hostname, machine-id, arch, existing Kubernetes, and what decides host settings: cgroup version, CAP_SYS_RESOURCE, resolv.conf, nf_conntrack_max' }))),
    step('push-rootfs', 'Push rootfs', c.hosts.map((h) => ({ host: h.ip, spec: h, intent: `upload ${c.image} (unchanged files skipped) and run its init script (binaries, containerd, CNI plugins, the ${h.roles.includes('master') ? 'control-plane and node' : 'node'} images)` }))),
    {
      id: 'certs',
      title: 'Certificates',
      hosts: [],
      local: fresh
        ? `create the cluster CA and certificates (${c.pki.keyAlgorithm}, leaves ${c.pki.leafValidityDays} days)`
        : 'check the CA and certificates; add SANs for new masters',
      needed: true,
    },
    step('init-master0', 'Init first master', fresh && master0 ? [{ host: master0.ip, spec: master0, intent: `initialise the control plane (${runtime})` }] : []),
    step('join-masters', 'Join masters (one at a time)', newMasters.map((h) => ({ host: h.ip, spec: h, intent: `join as control-plane (${runtime})` }))),
    step('join-nodes', 'Join nodes', newNodes.map((h) => ({ host: h.ip, spec: h, intent: `join as worker (${runtime})` }))),
    step('vip', 'API server VIP on nodes', nodes(c).map((h) => ({ host: h.ip, spec: h, intent: `route ${c.vip.address}:6443 to ${allMasters.length} master(s) (${c.vip.mode})` }))),
    step('pod-network', 'Pod network', c.network.plugin === 'none' ? [] : c.hosts.map((h) => ({ host: h.ip, spec: h, intent: `sealts-bridge: CNI bridge on the node's pod range (from ${c.network.podCIDR}), routes to the other hosts' ranges` }))),
    step('delete-hosts', 'Remove hosts no longer in the Clusterfile', removed.map(([ip, h]) => ({ host: ip, intent: `drain, remove from the cluster and reset (was ${h.roles.join(',')})` }))),
    { id: 'kubeconfig', title: 'Admin kubeconfig', hosts: [], local: 'write the admin kubeconfig (0600) to the state directory', needed: true },
    { id: 'save-state', title: 'Save state', hosts: [], local: `record ${c.hosts.length} host(s) in state.json`, needed: true },
  ];
  return steps;
}

/** The Clusterfile hosts a step acts on (hosts being removed have no spec and are left out). */
export function stepHosts(s: PlanStep): HostSpec[] {
  return s.hosts.flatMap((h) => (h.spec ? [h.spec] : []));
}

function step(id: StepId, title: string, hosts: HostIntent[]): PlanStep {
  return { id, title, hosts, needed: hosts.length > 0 };
}
