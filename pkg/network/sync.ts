// Keeps sealts-bridge in step with the cluster: reads every node's pod range from the apiserver
// (through the runtime's admin kubectl on a control plane) and rewrites each host's CNI config,
// routes and NAT.
import type { Cluster, HostSpec } from '../clusterfile/types.js';
import type { HostExec } from '../host/exec.js';
import { putFiles } from '../host/put-files.js';
import { hostNetwork, parsePodRanges, type PodRange } from './sealts-bridge.js';

const COLUMNS = 'custom-columns=NAME:.metadata.name,PODCIDR:.spec.podCIDR,IP:.status.addresses[?(@.type=="InternalIP")].address';

export interface NetworkHost {
  spec: HostSpec;
  exec: HostExec;
  nodeName: string;
  /** It runs a kubelet, so it is a Node with a pod range (a k0s controller without a worker is not). */
  runsPods: boolean;
}

/** The phase runner's fan-out (PhaseContext.forEachHost), so each host's outcome is recorded. */
export type ForEachHost = (hosts: readonly HostSpec[], fn: (h: HostSpec) => Promise<void>) => Promise<unknown>;

/** Admin kubectl on a control plane (Runtime.kubectl bound to one): its stdout, throws on failure. */
export type Kubectl = (args: readonly string[]) => Promise<string>;

/** The pod ranges of `names`, waiting (up to timeoutS) for the controller manager to allocate them. */
export async function podRanges(kubectl: Kubectl, names: readonly string[], timeoutS = 120, pollMs = 500): Promise<PodRange[]> {
  const end = Date.now() + timeoutS * 1000;
  for (;;) {
    const out = await kubectl(['get', 'nodes', '--no-headers', '-o', COLUMNS]).catch(() => '');
    const ranges = parsePodRanges(out);
    const missing = names.filter((n) => !ranges.some((r) => r.node === n));
    if (missing.length === 0) return ranges;
    if (Date.now() > end) throw new Error(`pod network: no pod range for ${missing.join(', ')} after ${timeoutS} s (is the controller manager allocating node CIDRs?)`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Rewrites every host's sealts-bridge for the ranges of all of them (a no-op for plugin: none). */
export async function syncPodNetwork(
  cluster: Cluster,
  kubectl: Kubectl,
  hosts: readonly NetworkHost[],
  forEachHost: ForEachHost,
): Promise<void> {
  if (cluster.network.plugin === 'none' || hosts.length === 0) return;
  const podHosts = hosts.filter((h) => h.runsPods);
  const ranges = await podRanges(kubectl, podHosts.map((h) => h.nodeName));
  const byNode = new Map(ranges.map((r) => [r.node, r]));
  // Routes go via the Clusterfile address, whatever the node reports first.
  const all = podHosts.map((h) => ({ ...byNode.get(h.nodeName)!, ip: h.spec.ip }));
  const byIp = new Map(hosts.map((h) => [h.spec.ip, h]));
  await forEachHost(hosts.map((h) => h.spec), async (spec) => {
    const self = all.find((r) => r.ip === spec.ip) ?? { ip: spec.ip };
    const { files, command } = hostNetwork(self, all, cluster.network.podCIDR);
    await putFiles(byIp.get(spec.ip)!.exec, 'pod network', files, command);
  });
}
