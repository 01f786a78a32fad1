// What `sealts upgrade` does, decided from the facts (pure): from the version the control plane runs
// to the Clusterfile's, one minor at a time, never down; the control plane first (the first master
// with `upgrade apply`, the others one at a time), then each master's kubelet, then the nodes in
// batches. A host already at the new version is left out of its step, so a re-run resumes.
import { masters, type Cluster, type HostSpec } from '../clusterfile/types.js';
import type { Facts, Problem } from './plan.js';

export interface UpgradePlan {
  from?: string;
  to: string;
  /** Every member: the new rootfs is installed on each before anything restarts. */
  install: HostSpec[];
  /** Masters whose control plane is not at `to`, in order; the first of them applies it for the cluster. */
  controlPlanes: Array<{ host: HostSpec; first: boolean }>;
  /** Masters, then nodes, whose kubelet is not at `to`: drained, restarted, uncordoned. */
  kubelets: HostSpec[];
  /** The master the drains go through. */
  via?: HostSpec;
  problems: Problem[];
}

interface Version {
  major: number;
  minor: number;
  patch: number;
}

function parse(v: string | undefined): Version | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(v ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

const cmp = (a: Version, b: Version) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

export function decideUpgrade(c: Cluster, facts: ReadonlyMap<string, Facts>, upgradeCommand: string): UpgradePlan {
  const to = c.runtime.version;
  const target = parse(to)!;
  const problems: Problem[] = [];
  const f = (h: HostSpec) => facts.get(h.ip)!.member;
  const isMaster = (h: HostSpec) => h.roles.includes('master');
  const members = c.hosts.filter((h) => f(h).joined || f(h).controlPlane);
  for (const h of c.hosts.filter((x) => !members.includes(x))) {
    problems.push({ host: h.ip, problem: `not in the cluster: upgrade changes only running hosts (join it after the upgrade, or remove it from the Clusterfile)` });
  }
  const running = masters(c).filter((h) => f(h).controlPlane);
  if (running.length === 0) problems.push({ problem: 'no master of the Clusterfile runs a control plane: nothing to upgrade' });
  const cpVersions = running.map((h) => parse(f(h).controlPlaneVersion)).filter((v): v is Version => v !== undefined);
  const oldest = cpVersions.sort(cmp)[0];
  const from = oldest ? `v${oldest.major}.${oldest.minor}.${oldest.patch}` : undefined;
  if (oldest) {
    if (cmp(target, oldest) < 0) problems.push({ problem: `${to} is older than the control plane's ${from}: sealts does not downgrade` });
    else if (target.major !== oldest.major || target.minor - oldest.minor > 1) {
      problems.push({ problem: `${from} to ${to} skips a minor version: upgrade one minor at a time (to v${oldest.major}.${oldest.minor + 1}.x first, then ${upgradeCommand} again)` });
    }
  }
  // The skew policy: no kubelet newer than any apiserver (it would already be broken: refuse to go on from there).
  for (const h of members) {
    const k = parse(f(h).version);
    if (k && oldest && cmp(k, oldest) > 0 && cmp(k, target) !== 0) problems.push({ host: h.ip, problem: `its kubelet ${f(h).version} is newer than the control plane ${from}` });
  }
  const behind = (v: string | undefined) => !parse(v) || cmp(parse(v)!, target) !== 0;
  const cpBehind = running.filter((h) => behind(f(h).controlPlaneVersion));
  // `upgrade apply` runs once for the cluster: on the first master, unless one is already there.
  const applied = running.some((h) => !behind(f(h).controlPlaneVersion));
  const controlPlanes = cpBehind.map((host, i) => ({ host, first: !applied && i === 0 }));
  const kubelets = [...members.filter(isMaster), ...members.filter((h) => !isMaster(h))].filter((h) => behind(f(h).version));
  return { from, to, install: members, controlPlanes, kubelets, via: running[0], problems };
}
