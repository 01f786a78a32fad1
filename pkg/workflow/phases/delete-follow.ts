// Delete, follow: the hosts that stay no longer point at or route to the ones removed: the nodes'
// VIP keeps only the apiservers that stay, every host's pod routes are rewritten.
import { nodes } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import type { DeleteRun } from '../delete.js';
import { syncVip } from './vip.js';
import { syncNetwork } from './pod-network.js';

export const deleteFollow: Phase<DeleteRun> = {
  title: 'Update the hosts that stay',
  hosts: (ctx) => (ctx.all ? [] : ctx.staying),
  run: async (ctx) => {
    const ips = new Set(ctx.staying.map((h) => h.ip));
    await syncVip(ctx, nodes(ctx.cluster).filter((n) => ips.has(n.ip)), ctx.apiServers);
    if (ctx.cluster.network.plugin !== 'none') await syncNetwork(ctx, ctx.staying, ctx.via!);
  },
  dryRun: (ctx) => {
    for (const h of ctx.staying) ctx.intent(h.ip, `${h.roles.includes('master') ? '' : `VIP to ${ctx.apiServers.map((m) => m.ip).join(', ')}; `}pod routes without the removed hosts`);
  },
};
