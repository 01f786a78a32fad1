// A workflow's run: the opened cluster, a session (progress, host logs, summary), and the context
// its phases share, with the Runtime bound to it.
import type { Cluster } from '../clusterfile/types.js';
import type { Phase } from '../phase/types.js';
import { Session } from '../phase/session.js';
import type { RunSummary } from '../output/summary.js';
import type { ClusterRun } from './context.js';
import { bindRuntime } from './context.js';
import type { OpenedCluster, RunFlags } from './open.js';

export interface RunStreams {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface StartOptions extends RunStreams {
  command: string;
  flags: RunFlags;
  /** Another cluster than the opened one's (join: the extended Clusterfile). */
  cluster?: Cluster;
  clusterfilePath?: string;
  /** No progress lines (plan: the summary is the whole answer). */
  quiet?: boolean;
  rendered?: () => RunSummary['rendered'];
}

export async function startRun(c: OpenedCluster, o: StartOptions): Promise<{ session: Session; ctx: ClusterRun }> {
  const f = o.flags;
  const session = await Session.start({
    command: o.command,
    state: f.dryRun ? undefined : c.state,
    cluster: c.cluster.name,
    output: f.output,
    dryRun: f.dryRun,
    concurrency: f.concurrency,
    debug: f.debug,
    quiet: o.quiet || f.quiet,
    // --quiet leaves out the text summary of a run, except plan's: there the summary is the answer.
    textSummary: !f.quiet || o.quiet === true,
    stdout: o.stdout,
    stderr: o.stderr,
    rendered: o.rendered,
  });
  const ctx = {
    ...session.ctx,
    cluster: o.cluster ?? c.cluster,
    clusterfilePath: o.clusterfilePath ?? c.clusterfilePath,
    state: c.state,
    previous: c.stateFile,
    pool: await c.pool(session.ctx.onLine),
    execs: new Map(),
    facts: new Map(),
    settings: new Map(),
    pkiDir: await c.state.pkiDir(),
    yes: f.yes,
    relay: f.relay,
  } as ClusterRun;
  // Bound to this very object: the runtime reads the facts and connections the phases fill in.
  ctx.runtime = bindRuntime(ctx);
  return { session, ctx };
}

/** Run the phases over `ctx`; a rootfs a phase loaded is closed whatever happened. */
export async function executeRun<C extends ClusterRun>(session: Session, phases: ReadonlyArray<Phase<C>>, ctx: C): Promise<RunSummary> {
  try {
    return await session.execute(phases, ctx);
  } finally {
    await ctx.rootfs?.close();
  }
}
