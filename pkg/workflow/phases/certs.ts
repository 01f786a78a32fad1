// Certificates: the cluster CA and every certificate the masters need, made or checked locally.
import { masters } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import { ensurePki } from '../../pki/index.js';
import { planOf, type ClusterRun } from '../context.js';

export const certs: Phase<ClusterRun> = {
  title: 'Certificates',
  run: async (ctx) => {
    const ident = masters(ctx.cluster).map((h) => ({ ip: h.ip, hostname: ctx.facts.get(h.ip)!.hostname }));
    // No per-node kubelet.conf: `kubeadm join` refuses a pre-made one and gets its own through TLS
    // bootstrap, so generating them would cost one key per node for files nobody reads.
    const r = await ensurePki(ctx.pkiDir, ctx.cluster, ident, [], { keyPool: ctx.keyPool });
    ctx.info(`pki: ${r.changed.length} written, ${r.kept.length} kept`);
  },
  dryRun: (ctx) => {
    const c = ctx.cluster;
    ctx.intent(undefined, planOf(ctx).init && !ctx.plan?.clusterCaSha256
      ? `create the cluster CA and certificates (${c.pki.keyAlgorithm}, leaves ${c.pki.leafValidityDays} days) unless sealts already holds them`
      : 'check the CA and certificates; add SANs for new masters');
  },
};
