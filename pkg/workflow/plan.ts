// `sealts plan -f FILE`: what apply would do, decided the way apply decides: the same phases as a
// dry run, so connect, facts and the decision run for real (they only read) and every other phase
// says what it would do. -o yaml prints the defaulted Clusterfile and the documents apply would
// write on the hosts that init or join (rendered from their facts); -o json carries them in the
// summary's `rendered`. --offline contacts no host: only the documents, from the Clusterfile alone.
import { Writable } from 'node:stream';
import { loadClusterfile, renderClusterfile } from '../clusterfile/index.js';
import type { Cluster, HostSpec } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import { writeDocument, writeRenderedDocument } from '../output/document.js';
import { defaultHostname } from '../pki/index.js';
import { runtimeFor } from '../runtime/index.js';
import type { RunSummary } from '../output/summary.js';
import { APPLY_PHASES } from './apply.js';
import { planOf, type ClusterRun } from './context.js';
import { withCluster, type RunFlags } from './open.js';
import { executeRun, startRun, type RunStreams } from './run.js';

export interface PlanRequest extends RunStreams {
  file: string;
  flags: RunFlags;
  /** Contact no host: print only the rendered documents (placeholder node names, no host settings). */
  offline?: boolean;
}

type Rendered = NonNullable<RunSummary['rendered']>;

/** The documents apply writes: on the master init runs on, and on every host that joins. */
function renderedFromFacts(ctx: ClusterRun): Rendered {
  const p = planOf(ctx);
  const out: Rendered = {};
  for (const h of [...(p.init ? [p.init] : []), ...p.joinMasters, ...p.joinNodes]) out[h.ip] = ctx.runtime.renderConfig(h, h === p.init).files;
  return out;
}

/** Offline: every host as if the cluster were new, named by pkg/pki's placeholder ("ip-198-18-0-11"). */
function renderedOffline(cluster: Cluster): Rendered {
  const rt = runtimeFor({
    cluster,
    exec: () => {
      throw new UserError('plan --offline contacts no host');
    },
    nodeName: (h: HostSpec) => defaultHostname(h.ip),
    pkiDir: '',
    forEach: async () => {},
    proxyMode: () => (cluster.vip.mode === 'ipvs' ? 'ipvs' : 'iptables'),
  });
  const first = cluster.hosts.find((h) => h.roles.includes('master'));
  return Object.fromEntries(cluster.hosts.map((h) => [h.ip, rt.renderConfig(h, h === first).files]));
}

function planYaml(cluster: Cluster, rendered: Rendered, offline: boolean): string {
  const parts = [renderClusterfile(cluster).trimEnd()];
  for (const [ip, files] of Object.entries(rendered)) {
    for (const [path, text] of Object.entries(files)) parts.push(`# ${ip}: ${path}\n${text.trimEnd()}`);
  }
  const head = offline ? '# sealts plan --offline: no host contacted; every host rendered as new, node names are placeholders, no host facts applied\n' : '';
  return head + parts.join('\n---\n') + '\n';
}

/** Returns the dry-run summary (undefined for -o yaml and --offline, which print documents). */
export async function planCluster(req: PlanRequest): Promise<RunSummary | undefined> {
  const stdout = req.stdout ?? process.stdout;
  const cluster = await loadClusterfile(req.file);
  if (req.offline) {
    if (req.flags.output === 'text') throw new UserError('plan --offline shows only the rendered documents: add -o yaml or -o json');
    const rendered = renderedOffline(cluster);
    if (req.flags.output === 'json') writeDocument('json', { command: 'plan', cluster: cluster.name, offline: true, rendered }, stdout);
    else writeRenderedDocument(planYaml(cluster, rendered, true), stdout);
    return undefined;
  }
  const flags = { ...req.flags, dryRun: true, output: req.flags.output === 'yaml' ? ('json' as const) : req.flags.output };
  return withCluster({ flags, clusterfile: { path: req.file, cluster }, lock: false, command: 'plan', needs: { image: true } }, async (c) => {
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const yaml = req.flags.output === 'yaml';
    // Read when the phases have run (the summary carries them in -o json): from the same facts and plan.
    const rendered = () => (ctx.plan ? renderedFromFacts(ctx) : undefined);
    const { session, ctx } = await startRun(c, { command: 'plan', flags, quiet: true, stdout: yaml ? sink : stdout, stderr: req.stderr, rendered });
    const summary = await executeRun(session, APPLY_PHASES, ctx);
    if (yaml) writeRenderedDocument(planYaml(cluster, rendered() ?? {}, false), stdout);
    return yaml ? undefined : summary;
  });
}
