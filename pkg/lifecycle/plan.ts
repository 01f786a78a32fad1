// `sealts plan -f FILE`: what apply would do, through the same phases and runner as apply (dry run).
// -o yaml prints the defaulted Clusterfile instead (what apply will actually use).
import { loadClusterfile, renderClusterfile } from '../clusterfile/index.js';
import { Session } from '../phase/session.js';
import { planApply } from '../plan/plan.js';
import { planPhases } from '../plan/phases.js';
import { openState } from '../state/store.js';
import type { RunSummary } from '../output/summary.js';
import type { RunFlags } from './types.js';

export interface PlanRequest {
  file: string;
  flags: RunFlags;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Returns the dry-run summary (undefined for -o yaml, which prints the Clusterfile). */
export async function planCluster(req: PlanRequest): Promise<RunSummary | undefined> {
  const stdout = req.stdout ?? process.stdout;
  const cluster = await loadClusterfile(req.file);
  if (req.flags.output === 'yaml') {
    stdout.write(renderClusterfile(cluster));
    return undefined;
  }
  // The recorded state says which hosts are already in; a corrupt state file stops the plan (exit 2).
  const state = await openState(cluster.name).read();
  const session = await Session.start({
    command: 'plan',
    cluster: cluster.name,
    output: req.flags.output,
    dryRun: true,
    concurrency: req.flags.concurrency,
    debug: req.flags.debug,
    quiet: true,
    stdout,
  });
  return session.execute(planPhases(planApply(cluster, state)), session.ctx);
}
