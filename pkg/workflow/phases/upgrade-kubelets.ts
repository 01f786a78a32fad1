// Upgrade, kubelets: the masters one at a time, then the nodes in batches of --max-unavailable;
// each drained (daemonsets stay, emptyDir data goes, with a timeout), its kubelet configuration
// upgraded, its kubelet restarted on the new binary, uncordoned. A host that fails stops the run
// there (the next batch does not start): the cluster keeps serving, and a re-run resumes from the facts.
import type { HostSpec } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import type { UpgradeRun } from '../upgrade.js';

async function upgradeKubelet(ctx: UpgradeRun, h: HostSpec): Promise<void> {
  const via = ctx.upgrade!.via!;
  await ctx.runtime.drain(h, via);
  if (!h.roles.includes('master')) await ctx.runtime.upgradeNodeConfig(h);
  await ctx.runtime.restartChanged(h, { kubelet: true });
  await ctx.runtime.uncordon(h, via);
}

export const upgradeKubelets: Phase<UpgradeRun> = {
  title: 'Upgrade the kubelets (masters one at a time, nodes in batches)',
  hosts: (ctx) => ctx.upgrade!.kubelets,
  run: async (ctx) => {
    const ks = ctx.upgrade!.kubelets;
    for (const m of ks.filter((h) => h.roles.includes('master'))) await ctx.forEachHost([m], (h) => upgradeKubelet(ctx, h));
    const nodes = ks.filter((h) => !h.roles.includes('master'));
    for (let i = 0; i < nodes.length; i += ctx.maxUnavailable) {
      await ctx.forEachHost(nodes.slice(i, i + ctx.maxUnavailable), (h) => upgradeKubelet(ctx, h));
    }
  },
  dryRun: (ctx) => {
    const ks = ctx.upgrade!.kubelets;
    const nodes = ks.filter((h) => !h.roles.includes('master'));
    for (const h of ks) {
      const batch = h.roles.includes('master') ? 'one at a time' : `batch ${Math.floor(nodes.indexOf(h) / ctx.maxUnavailable) + 1}`;
      ctx.intent(h.ip, `${batch}: drain, ${h.roles.includes('master') ? '' : 'kubeadm upgrade node, '}restart kubelet on ${ctx.upgrade!.to}, uncordon`);
    }
  },
};
