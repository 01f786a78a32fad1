// `sealts plan -f FILE`: what apply would do, through the same phases and runner as apply (dry run).
// -o yaml prints the defaulted Clusterfile and the kubeadm documents apply would write (what apply
// will actually use); -o json carries those documents in the summary's `rendered` field.
import { loadClusterfile, renderClusterfile } from '../clusterfile/index.js';
import type { Cluster } from '../clusterfile/types.js';
import { Session } from '../phase/session.js';
import { planApply } from '../plan/plan.js';
import { planPhases } from '../plan/phases.js';
import { renderKubeadmPlan } from '../runtime/engine/render-plan.js';
import { openState } from '../state/store.js';
import type { RunSummary } from '../output/summary.js';
import type { RunFlags } from './types.js';

export interface PlanRequest {
  file: string;
  flags: RunFlags;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The rendered documents of a runtime sealts renders locally (k0s renders nothing before apply). */
function renderedFiles(cluster: Cluster): Record<string, Record<string, string>> | undefined {
  return cluster.runtime.type === 'kubeadm' ? renderKubeadmPlan(cluster) : undefined;
}

/** The Clusterfile, then every host's documents, each file headed by a comment naming host and path. */
function planYaml(cluster: Cluster): string {
  const parts = [renderClusterfile(cluster).trimEnd()];
  for (const [ip, files] of Object.entries(renderedFiles(cluster) ?? {})) {
    for (const [path, text] of Object.entries(files)) parts.push(`# ${ip}: ${path}\n${text.trimEnd()}`);
  }
  return parts.join('\n---\n') + '\n';
}

/** Returns the dry-run summary (undefined for -o yaml, which prints the Clusterfile and documents). */
export async function planCluster(req: PlanRequest): Promise<RunSummary | undefined> {
  const stdout = req.stdout ?? process.stdout;
  const cluster = await loadClusterfile(req.file);
  if (req.flags.output === 'yaml') {
    stdout.write(planYaml(cluster));
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
    rendered: req.flags.output === 'json' ? renderedFiles(cluster) : undefined,
  });
  return session.execute(planPhases(planApply(cluster, state)), session.ctx);
}
