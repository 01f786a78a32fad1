// Adopt, state: state.json from the hosts' facts (the members only: the others are joined by the
// next apply), the Clusterfile, and a comparison with the record the cluster keeps of itself.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Phase } from '../../phase/types.js';
import { emptyState } from '../../state/schema.js';
import type { StateFile } from '../../state/index.js';
import { absolutizePaths } from '../clusterfile-edit.js';
import { planOf, type ClusterRun } from '../context.js';
import { readRecord } from '../record.js';

export const adoptSave: Phase<ClusterRun> = {
  title: 'Save state',
  run: async (ctx) => {
    const p = planOf(ctx);
    const record = await readRecord(ctx.runtime, p.seed!);
    const now = new Date().toISOString();
    const hosts: StateFile['hosts'] = {};
    for (const h of p.members) {
      const f = ctx.facts.get(h.ip)!;
      hosts[h.ip] = { roles: h.roles, hostname: f.hostname, machineId: f.machineId, joinedAt: record?.hosts[h.ip]?.joinedAt ?? now };
    }
    if (!record) ctx.warn('the cluster keeps no sealts record (ConfigMap kube-system/sealts-cluster): state rebuilt from the facts alone');
    else {
      for (const [ip, h] of Object.entries(record.hosts)) {
        if (!hosts[ip]) ctx.warn(`${ip}: the cluster's record lists it (${h.roles.join(',')}) but it is not a member in this Clusterfile's facts`);
        else if (h.roles.join(',') !== hosts[ip]!.roles.join(',')) ctx.warn(`${ip}: recorded as ${h.roles.join(',')}, the Clusterfile says ${hosts[ip]!.roles.join(',')}`);
      }
    }
    const base = ctx.previous ?? emptyState(ctx.cluster.name);
    await ctx.state.write({ ...base, hosts, runtime: { ...ctx.cluster.runtime }, rootfsHash: record?.rootfsHash });
    const text = await readFile(ctx.clusterfilePath, 'utf8');
    await ctx.state.writeClusterfile(absolutizePaths(text, ctx.clusterfilePath, dirname(resolve(ctx.clusterfilePath))));
    ctx.info(`adopted: ${p.members.length} member(s); \`sealts apply -f ${ctx.clusterfilePath}\` converges the rest`);
  },
  dryRun: (ctx) => ctx.intent(undefined, 'write state.json from the facts and the cluster\'s own record'),
};
