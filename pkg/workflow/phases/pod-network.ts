// Pod network: sealts-bridge on every host, for the pod ranges the apiserver allocated (pkg/network).
import type { HostSpec } from '../../clusterfile/types.js';
import { syncPodNetwork } from '../../network/sync.js';
import type { Phase } from '../../phase/types.js';
import { execOf, nodeNameOf, planOf, type ClusterRun } from '../context.js';

/** Rewrite the bridge config and routes of `hosts` (the cluster's hosts after this run), through `via`. */
export async function syncNetwork(ctx: ClusterRun, hosts: readonly HostSpec[], via: HostSpec): Promise<void> {
  const net = hosts.map((h) => ({ spec: h, exec: execOf(ctx, h), nodeName: nodeNameOf(ctx, h), runsPods: ctx.runtime.runsNode(h) }));
  await syncPodNetwork(ctx.cluster, (args) => ctx.runtime.kubectl(via, args), net, (hs, fn) => ctx.forEachHost(hs, fn));
}

export const podNetwork: Phase<ClusterRun> = {
  title: 'Pod network',
  hosts: (ctx) => (ctx.cluster.network.plugin === 'none' ? [] : ctx.cluster.hosts),
  run: (ctx) => syncNetwork(ctx, ctx.cluster.hosts, planOf(ctx).seed!),
  dryRun: (ctx) => {
    for (const h of ctx.cluster.hosts) ctx.intent(h.ip, `sealts-bridge: CNI bridge on the node's pod range (from ${ctx.cluster.network.podCIDR}), routes to the other hosts' ranges`);
  },
};
