// A member whose rootfs changes: which of its files differ from what the host has, and so what the
// change costs the workloads there. Binaries, CNI plugins and images are what running pods and the
// kubelet use: replacing them means draining the node first and restarting what runs them. Scripts
// and config files alone change nothing that runs.
import type { HostSpec } from '../clusterfile/types.js';
import { filesFor, type Manifest } from '../rootfs/manifest.js';

export interface Rollout {
  host: HostSpec;
  /** Files of the new rootfs the host lacks or has with other content (relative paths). */
  changed: string[];
  /** Running workloads are affected: drain before, uncordon after. */
  drain: boolean;
  /** The kubelet binary changes: restart it after the install. */
  kubelet: boolean;
}

const RUNNING = /^(bin|cni|images)\//;

/** Undefined when the host already has exactly this rootfs. */
export function rolloutOf(host: HostSpec, hostManifestText: string | undefined, next: Manifest): Rollout | undefined {
  let had: Manifest | undefined;
  try {
    had = hostManifestText ? (JSON.parse(hostManifestText) as Manifest) : undefined;
  } catch {
    had = undefined; // unreadable: treat every file as changed
  }
  // Only the host's role's part: a change to a control-plane image touches no node.
  const role = host.roles.includes('master') ? 'master' : 'node';
  const wanted = filesFor(next, role);
  const old = new Map((had ? filesFor(had, role) : []).map((f) => [f.path, `${f.sha256} ${f.mode}`]));
  const changed = wanted.filter((f) => old.get(f.path) !== `${f.sha256} ${f.mode}`).map((f) => f.path);
  const gone = [...old.keys()].filter((p) => !wanted.some((f) => f.path === p));
  if (changed.length === 0 && gone.length === 0 && had?.kubernetesVersion === next.kubernetesVersion) return undefined;
  const all = [...changed, ...gone];
  return { host, changed: all, drain: all.some((p) => RUNNING.test(p)), kubelet: all.includes('bin/kubelet') };
}
