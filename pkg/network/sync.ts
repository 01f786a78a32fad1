// Keeps sealts-bridge in step with the cluster: reads every node's pod range from the apiserver (on
// a control plane, with its admin kubeconfig) and rewrites each host's CNI config, routes and NAT.
import type { Cluster, HostSpec } from '../clusterfile/types.js';
import { HostError } from '../errors/errors.js';
import { literal, sh } from '../shell/quote.js';
import type { HostExec } from '../runtime/exec.js';
import { putFiles } from '../runtime/put-files.js';
import { ADMIN_CONF } from '../runtime/kubeadm/host-files.js';
import { hostNetwork, parsePodRanges, type PodRange } from './sealts-bridge.js';

const COLUMNS = 'custom-columns=NAME:.metadata.name,PODCIDR:.spec.podCIDR,IP:.status.addresses[?(@.type=="InternalIP")].address';

/** Until "$1" seconds pass: list nodes; succeed once every name in "$2".. has a pod range. */
const WAIT_RANGES = literal(
  [
    'end=$(( $(date +%s) + $1 )); shift',
    'while :; do',
    `  out=$(kubectl --kubeconfig ${ADMIN_CONF} get nodes --no-headers -o '${COLUMNS}' 2>&1) || out=""`,
    '  missing=""',
    '  for n; do printf "%s\\n" "$out" | grep -qE "^$n +[0-9a-f.:]+/[0-9]+ " || missing="$missing $n"; done',
    '  if [ -z "$missing" ]; then printf "%s\\n" "$out"; exit 0; fi',
    '  [ "$(date +%s)" -lt "$end" ] || { echo "no pod range for:$missing" >&2; exit 1; }',
    '  sleep 0.5',
    'done',
  ].join('\n'),
);

export interface NetworkHost {
  spec: HostSpec;
  exec: HostExec;
  nodeName: string;
}

/** The phase runner's fan-out (PhaseContext.forEachHost), so each host's outcome is recorded. */
export type ForEachHost = (hosts: readonly HostSpec[], fn: (h: HostSpec) => Promise<void>) => Promise<unknown>;

/** The pod ranges of `names`, waiting (up to timeoutS) for the controller manager to allocate them. */
export async function podRanges(cp: HostExec, names: readonly string[], timeoutS = 120): Promise<PodRange[]> {
  const r = await cp.exec(sh(['sh', '-c', WAIT_RANGES, 'sh', String(timeoutS), ...names]));
  if (r.code !== 0) throw new HostError(cp.host, 'pod network', `node pod ranges: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`);
  return parsePodRanges(r.stdout);
}

/** Rewrites every host's sealts-bridge for the ranges of all of them (a no-op for plugin: none). */
export async function syncPodNetwork(
  cluster: Cluster,
  cp: HostExec,
  hosts: readonly NetworkHost[],
  forEachHost: ForEachHost,
): Promise<void> {
  if (cluster.network.plugin === 'none' || hosts.length === 0) return;
  const ranges = await podRanges(cp, hosts.map((h) => h.nodeName));
  const byNode = new Map(ranges.map((r) => [r.node, r]));
  // Routes go via the Clusterfile address, whatever the node reports first.
  const all = hosts.map((h) => ({ ...byNode.get(h.nodeName)!, ip: h.spec.ip }));
  const byIp = new Map(hosts.map((h) => [h.spec.ip, h]));
  await forEachHost(hosts.map((h) => h.spec), async (spec) => {
    const self = all.find((r) => r.ip === spec.ip)!;
    const { files, command } = hostNetwork(self, all, cluster.network.podCIDR);
    await putFiles(byIp.get(spec.ip)!.exec, 'pod network', files, command);
  });
}
