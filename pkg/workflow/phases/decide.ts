// Decide: the plan, from the facts just gathered (pkg/plan). Everything it refuses stops the run
// here, before any host changes; `plan` runs this same phase and shows what it decided.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors/errors.js';
import type { Phase } from '../../phase/types.js';
import { decide, refuseOn, sha256Hex } from '../../plan/index.js';
import type { ClusterRun } from '../context.js';

export async function localCaSha256(pkiDir: string): Promise<string | undefined> {
  const pem = await readFile(join(pkiDir, 'ca.crt')).catch(() => undefined);
  return pem ? sha256Hex(pem) : undefined;
}

export function decidePhase(opts: { adopting?: boolean } = {}): Phase<ClusterRun> {
  return {
    title: 'Decide from the facts',
    readOnly: true,
    run: async (ctx) => {
      const plan = decide(ctx.cluster, {
        facts: ctx.facts,
        state: ctx.previous,
        localCaSha256: await localCaSha256(ctx.pkiDir),
        rootfs: ctx.rootfs?.manifest,
        clusterfile: ctx.clusterfilePath,
        requiredPorts: (roles) => ctx.runtime.requiredPorts(roles),
        adopting: opts.adopting,
      });
      ctx.plan = plan;
      refuseOn(plan.problems);
      if (plan.remove.length > 0 && !ctx.yes && !ctx.dryRun) {
        throw new UserError(`apply would remove ${plan.remove.map((r) => r.ip).join(', ')} (no longer in the Clusterfile): re-run with --yes`);
      }
    },
    dryRun: (ctx) => {
      const p = ctx.plan!;
      ctx.intent(undefined, p.init ? `new cluster: init on ${p.init.ip}` : `cluster running: ${p.members.length} member(s), joins go through ${p.seed?.ip}`);
    },
  };
}
