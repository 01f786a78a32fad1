// Delete, save: the hosts leave state.json, the stored Clusterfile and the cluster's record; after
// --all the whole state directory is archived (it holds the CA and the logs of the removal).
import type { Phase } from '../../phase/types.js';
import { removeHostsFromClusterfile } from '../clusterfile-edit.js';
import type { DeleteRun } from '../delete.js';
import { writeRecord } from '../record.js';

export const deleteSave: Phase<DeleteRun> = {
  title: 'Save state',
  run: async (ctx) => {
    if (ctx.all) {
      ctx.info(`state archived to ${await ctx.state.archive()}`);
      return;
    }
    const prev = ctx.previous!;
    const hosts = { ...prev.hosts };
    for (const h of ctx.targets) delete hosts[h.ip];
    await ctx.state.write({ ...prev, hosts });
    const text = await ctx.state.readClusterfile();
    if (text !== undefined) await ctx.state.writeClusterfile(removeHostsFromClusterfile(text, ctx.state.clusterfilePath, ctx.targets.map((h) => h.ip)));
    await writeRecord(ctx.runtime, ctx.via!, { cluster: prev.cluster, runtime: prev.runtime ?? { ...ctx.cluster.runtime }, rootfsHash: prev.rootfsHash, hosts, updatedAt: new Date().toISOString() });
  },
  dryRun: (ctx) => ctx.intent(undefined, ctx.all ? 'archive the cluster state' : `drop ${ctx.targets.length} host(s) from state.json, the stored Clusterfile and the cluster's record`),
};
