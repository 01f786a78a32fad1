// Desired (the Cluster) + observed (every host's facts, the local state) -> what an apply does, and
// what it refuses. Pure: no I/O, so `plan` and `apply` decide by the same call on the same facts,
// and tests feed it facts directly. Who is a member, which master the others join through, whether
// init runs at all: all of it comes from the hosts, never from the Clusterfile's order or state.json.
import { createHash } from 'node:crypto';
import { masters, type Cluster, type HostSpec } from '../clusterfile/types.js';
import { MultiHostError, UserError } from '../errors/errors.js';
import type { HostFacts } from '../host/facts.js';
import type { Manifest } from '../rootfs/manifest.js';
import type { MemberFacts } from '../runtime/runtime.js';
import type { StateFile } from '../state/schema.js';
import { preflightProblems } from './preflight.js';
import { rolloutOf, type Rollout } from './rollout.js';

/** Everything gathered from one host. */
export interface Facts extends HostFacts {
  member: MemberFacts;
}

export interface Observed {
  /** Every Clusterfile host's facts (a host not reached stops the run before the plan). */
  facts: ReadonlyMap<string, Facts>;
  state?: StateFile;
  /** sha256 of the local CA certificate, when sealts holds a PKI for this cluster. */
  localCaSha256?: string;
  /** The rootfs this run installs (its manifest), when loaded. */
  rootfs?: Manifest;
  /** The Clusterfile's path as the user gave it, for the commands the refusals name. */
  clusterfile: string;
  /** TCP ports a new host of these roles needs free (the runtime's). */
  requiredPorts(roles: readonly string[]): readonly number[];
  /** Adopting: the hosts' cluster without a local PKI is the point, not a problem. */
  adopting?: boolean;
}

export interface Problem {
  /** The host it concerns; undefined for the cluster as a whole. */
  host?: string;
  problem: string;
}

export interface Plan {
  /** The master joins go through: one running a control plane, or the one init brings up. */
  seed?: HostSpec;
  /** The master `init` runs on; undefined when a control plane already runs. */
  init?: HostSpec;
  /** Hosts that already belong to this cluster (facts). */
  members: HostSpec[];
  /** New hosts: the rootfs pushed and installed before they join (init's master included). */
  install: HostSpec[];
  /** Members whose rootfs is unchanged: checked on the host, repaired if it drifted. */
  verify: HostSpec[];
  /** Members whose rootfs changes: one at a time, masters first, drained where binaries change. */
  roll: Rollout[];
  joinMasters: HostSpec[];
  joinNodes: HostSpec[];
  /** Hosts the state has and the Clusterfile no longer lists. */
  remove: Array<{ ip: string; roles: string[]; hostname?: string }>;
  /** Masters serving the apiserver once the joins are done: the only backends of the VIP. */
  apiServers: HostSpec[];
  /** The CA the hosts trust, when a cluster already runs on them. */
  clusterCaSha256?: string;
  /** A cluster runs on the hosts and sealts has no local PKI for it (`sealts adopt`). */
  adoptable: boolean;
  /** Anything here refuses the run before a host changes. */
  problems: Problem[];
}

const isMaster = (h: HostSpec) => h.roles.includes('master');

/**
 * Stop a run on a plan's problems, one line each: when every one names a host, as those hosts'
 * failures (exit 1); otherwise as bad input (exit 2), the hosts named in the lines.
 */
export function refuseOn(problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  if (problems.every((p) => p.host)) {
    throw new MultiHostError(problems.map((p) => ({ host: p.host!, error: new Error(`refused: ${p.problem}`) })));
  }
  const lines = problems.map((p) => (p.host ? `${p.host}: ${p.problem}` : p.problem));
  throw new UserError(lines[0]!, lines.slice(1));
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function decide(c: Cluster, o: Observed): Plan {
  const problems: Problem[] = [...preflightProblems(c, o)];
  const facts = (h: HostSpec): Facts => {
    const f = o.facts.get(h.ip);
    if (!f) throw new Error(`plan: no facts for ${h.ip}`);
    return f;
  };
  const isMember = (h: HostSpec) => facts(h).member.joined || facts(h).member.controlPlane;

  // Which cluster the hosts run: every CA they trust must be one and the same.
  const byCa = new Map<string, string[]>();
  for (const h of c.hosts) {
    const ca = facts(h).member.caSha256;
    if (ca && isMember(h)) byCa.set(ca, [...(byCa.get(ca) ?? []), h.ip]);
  }
  const clusterCaSha256 = byCa.size === 1 ? [...byCa.keys()][0] : undefined;
  if (byCa.size > 1) {
    const groups = [...byCa].map(([ca, ips]) => `CA ${ca.slice(0, 12)}: ${ips.join(', ')}`).join('; ');
    problems.push({ problem: `the hosts belong to ${byCa.size} different clusters (${groups}); reset the ones that are not this cluster's or list them in their own Clusterfile` });
  }
  if (clusterCaSha256 && o.localCaSha256 && clusterCaSha256 !== o.localCaSha256) {
    for (const ip of byCa.get(clusterCaSha256)!) {
      problems.push({ host: ip, problem: "already belongs to another Kubernetes cluster (its /etc/kubernetes/pki/ca.crt is not this cluster's CA); run `kubeadm reset` there or remove it from the Clusterfile" });
    }
  }
  const adoptable = clusterCaSha256 !== undefined && o.localCaSha256 === undefined;
  if (adoptable && !o.adopting) {
    problems.push({
      problem: `a cluster already runs on these hosts (CA sha256 ${clusterCaSha256.slice(0, 12)}...) and sealts has no local state for it; to take it over: sealts adopt -f ${o.clusterfile}`,
    });
  }

  // Roles come from the hosts: a Clusterfile that says otherwise is refused, with the way to change one.
  for (const h of c.hosts) {
    const m = facts(h).member;
    const runsControlPlane = m.controlPlane || m.etcdMember;
    if (isMaster(h) && m.joined && !runsControlPlane) {
      problems.push({ host: h.ip, problem: `the Clusterfile says master, the host is a node of the cluster (no control plane, no etcd member); to make it a master: sealts delete --nodes ${h.ip}, then sealts join --masters ${h.ip}` });
    }
    if (!isMaster(h) && runsControlPlane) {
      problems.push({ host: h.ip, problem: `the Clusterfile says node, the host runs a control plane${m.etcdMember ? ' and an etcd member' : ''} (a master); to make it a node: sealts delete --masters ${h.ip}, then sealts join --nodes ${h.ip}` });
    }
    // An apply never upgrades: a member on another version is `sealts upgrade`'s business.
    if (isMember(h) && m.version && m.version !== c.runtime.version) {
      problems.push({ host: h.ip, problem: `runs Kubernetes ${m.version}, the Clusterfile asks for ${c.runtime.version}; apply does not change a running version: use sealts upgrade -f ${o.clusterfile} (--dry-run shows it host by host)` });
    }
  }

  const members = c.hosts.filter(isMember);
  const running = masters(c).filter((h) => facts(h).member.controlPlane);
  let seed = running[0];
  let init: HostSpec | undefined;
  if (!seed) {
    if (members.length > 0) {
      problems.push({ problem: `${members.map((h) => h.ip).join(', ')} ${members.length > 1 ? 'are' : 'is'} joined to a cluster whose control plane runs on none of the Clusterfile's masters; list its masters, or reset ${members.length > 1 ? 'them' : 'it'} first` });
    } else {
      init = masters(c)[0];
      seed = init;
    }
  }
  const fresh = c.hosts.filter((h) => !isMember(h));
  const joinMasters = masters(c).filter((h) => !isMember(h) && h !== init);
  const joinNodes = c.hosts.filter((h) => !isMaster(h) && !isMember(h));
  const roll: Rollout[] = [];
  const verify: HostSpec[] = [];
  if (o.rootfs) {
    const newManifest = o.rootfs;
    // Masters first, in the Clusterfile's order; then the nodes.
    for (const h of [...members.filter(isMaster), ...members.filter((x) => !isMaster(x))]) {
      const r = rolloutOf(h, facts(h).rootfsManifest, newManifest);
      if (r) roll.push(r);
      else verify.push(h);
    }
  }
  const desired = new Set(c.hosts.map((h) => h.ip));
  const remove = Object.entries(o.state?.hosts ?? {})
    .filter(([ip]) => !desired.has(ip))
    .map(([ip, h]) => ({ ip, roles: h.roles, hostname: h.hostname }));
  const apiServers = masters(c).filter((h) => running.includes(h) || h === init || joinMasters.includes(h));
  return { seed, init, members, install: fresh, verify, roll, joinMasters, joinNodes, remove, apiServers, clusterCaSha256, adoptable, problems };
}
