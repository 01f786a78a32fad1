// Admin kubeconfig: written locally (0600) beside the state, pointing at a master that serves.
import { join } from 'node:path';
import type { Phase } from '../../phase/types.js';
import { writeFileAtomic } from '../../state/atomic.js';
import { planOf, type ClusterRun } from '../context.js';
import { localKubeconfig } from '../kubeconfig.js';

export const adminKubeconfig: Phase<ClusterRun> = {
  title: 'Admin kubeconfig',
  run: async (ctx) => {
    const server = `https://${planOf(ctx).seed!.ip}:${ctx.runtime.apiServerPort}`;
    await writeFileAtomic(join(ctx.state.dir, 'admin.conf'), await localKubeconfig(ctx.pkiDir, ctx.cluster.name, server), { mode: 0o600 });
  },
  dryRun: (ctx) => ctx.intent(undefined, 'write the admin kubeconfig (0600) to the state directory'),
};
