// Gather facts: what each host is and has (pkg/host), what it is in a cluster (the runtime's
// facts), the rootfs this run installs, what the facts decide per host (pkg/runtime/host-settings)
// and the VIP mode. Read-only but for one cache (the kubelet's version, pkg/runtime/kubeadm/facts.ts):
// `plan` gathers them exactly as `apply` does.
import { join } from 'node:path';
import { masters, nodes } from '../../clusterfile/types.js';
import { UserError } from '../../errors/errors.js';
import { gatherFactsWith } from '../../host/facts.js';
import type { Phase } from '../../phase/types.js';
import { assertBinaryVersions, hostArch, loadRootfs } from '../../rootfs/index.js';
import { hostSettings } from '../../runtime/index.js';
import { chooseVipMode, VIP_TRACKED } from '../../vip/index.js';
import { execOf, type ClusterRun } from '../context.js';

export const gatherFactsPhase: Phase<ClusterRun> = {
  title: 'Gather host facts',
  readOnly: true,
  hosts: (ctx) => ctx.cluster.hosts,
  run: async (ctx) => {
    await ctx.forEachHost(ctx.cluster.hosts, async (h) => {
      const x = execOf(ctx, h);
      const { host, query: member } = await gatherFactsWith(x, VIP_TRACKED, ctx.runtime.memberFacts);
      ctx.facts.set(h.ip, { ...host, member });
    });
    ctx.rootfs = await loadRootfs(ctx.cluster.image);
    await checkRootfsVersion(ctx);
    for (const h of ctx.cluster.hosts) {
      const s = hostSettings(h, ctx.facts.get(h.ip)!);
      ctx.settings.set(h.ip, s);
      for (const note of s.notes) ctx.info(`${h.ip}: ${note}`);
      if ((ctx.facts.get(h.ip)?.swapDevices ?? 0) > 0) ctx.warn(`${h.ip}: swap is on; kubelet needs failSwapOn: false or swap off`);
    }
    // The VIP runs on the nodes: their kernel decides `auto` (a cluster of masters only has no VIP).
    const probe = nodes(ctx.cluster)[0] ?? masters(ctx.cluster)[0]!;
    const choice = chooseVipMode(ctx.cluster.vip.mode, ctx.facts.get(probe.ip)!);
    if (choice.problem) throw new UserError(`${ctx.clusterfilePath}: ${probe.ip}: ${choice.problem}`);
    ctx.vipMode = choice.mode;
    ctx.info(`VIP mode ${choice.mode} (${choice.reason})`);
  },
  dryRun: (ctx) => {
    for (const h of ctx.cluster.hosts) {
      const f = ctx.facts.get(h.ip);
      if (!f) continue;
      const m = f.member;
      const role = m.controlPlane ? 'runs a control plane' : m.joined ? 'joined as a node' : 'not in a cluster';
      ctx.intent(h.ip, `${f.hostname}, ${f.arch}, cgroup v${f.cgroupVersion}, ${role}${m.version ? `, kubelet ${m.version}` : ''}`);
      for (const note of ctx.settings.get(h.ip)?.notes ?? []) ctx.intent(h.ip, note);
    }
  },
};

/** The rootfs must be the Clusterfile's version, and its binaries what its manifest says. */
async function checkRootfsVersion(ctx: ClusterRun): Promise<void> {
  const rootfs = ctx.rootfs!;
  const want = ctx.cluster.runtime.version;
  if (rootfs.manifest.kubernetesVersion !== want) {
    throw new UserError(`${ctx.cluster.image}: the rootfs is Kubernetes ${rootfs.manifest.kubernetesVersion}, the Clusterfile asks for ${want} (spec.runtime.version)`);
  }
  // The binaries can be asked directly when they run here (same arch as this machine).
  if (rootfs.manifest.arch === hostArch()) await assertBinaryVersions(join(rootfs.dir, 'bin'), want, `${ctx.cluster.image}: its binaries`, new Map(rootfs.manifest.files.map((f) => [f.path, f.sha256])));
}
