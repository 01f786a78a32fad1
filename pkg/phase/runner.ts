// Runs phases in order; fans per-host work out with p-limit; records everything into one RunSummary.
import pLimit from 'p-limit';
import { MultiHostError, HostError, UserError } from '../errors/errors.js';
import type { HostLogs } from '../output/host-logs.js';
import type { Progress } from '../output/progress.js';
import type { HostOutcome, PhaseSummary, RunSummary } from '../output/summary.js';
import { redact } from '../secret/secret.js';
import type { LineKind } from '../ssh/types.js';
import { InterruptedError, type StopSignal } from './interrupt.js';
import { hostName, type ForEachHostOptions, type HostRef, type HostResult, type Phase, type PhaseContext } from './types.js';

export interface RunOptions {
  /** Names the run in the summary ("apply", "delete" ...). */
  command: string;
  cluster?: string;
  runId?: string;
  dryRun: boolean;
  concurrency: number;
  progress: Progress;
  /** Where host lines go; without it they are only shown with `debug`. */
  hostLogs?: HostLogs;
  /** Echo every host line to the progress stream. */
  debug?: boolean;
}

/**
 * One run of a list of phases. `run.ctx` is the base context; extend it with your own fields and pass
 * it back to `execute`:
 *
 *   const run = new Run({ command: 'apply', dryRun, concurrency, progress, hostLogs });
 *   const ctx = { ...run.ctx, cluster, pool };      // MyContext extends PhaseContext
 *   const summary = await run.execute(phases, ctx);  // never throws for a phase failure
 */
export class Run {
  readonly ctx: PhaseContext;
  readonly #opts: RunOptions;
  #current: PhaseSummary | undefined;
  #failure: Error | undefined;
  /** Hosts a fan-out is working on right now (what an interrupt names). */
  readonly #busy = new Set<string>();
  #interrupted: InterruptedError | undefined;
  #onInterrupt: ((e: InterruptedError) => void) | undefined;

  constructor(opts: RunOptions) {
    this.#opts = opts;
    // Arrow functions so the context survives being spread into a command's own context object.
    this.ctx = {
      dryRun: opts.dryRun,
      concurrency: opts.concurrency,
      onLine: (host, kind, line) => this.#hostLine(host, kind, line),
      forEachHost: (hosts, fn, o) => this.#forEachHost(hosts, fn, o),
      intent: (host, text) => this.#intent(host, text),
      info: (text) => opts.progress.info(text),
      warn: (text) => opts.progress.warn(text),
    };
  }

  /** Run the phases in order; stop at the first failed phase. Returns the summary (ok or not). */
  async execute<C extends PhaseContext>(phases: ReadonlyArray<Phase<C>>, ctx: C): Promise<RunSummary> {
    const { progress } = this.#opts;
    const started = performance.now();
    const summary: RunSummary = {
      command: this.#opts.command,
      cluster: this.#opts.cluster,
      runId: this.#opts.runId,
      logDir: this.#opts.hostLogs?.dir,
      dryRun: this.#opts.dryRun,
      ok: true,
      durationMs: 0,
      phases: [],
      errors: [],
    };
    for (const [i, phase] of phases.entries()) {
      const p: PhaseSummary = { title: phase.title, status: 'not-run', durationMs: 0, hosts: [], intents: [] };
      summary.phases.push(p);
      if (!summary.ok) continue;
      const t0 = performance.now();
      this.#current = p;
      try {
        const none = phase.hosts !== undefined && phase.hosts(ctx).length === 0;
        if (none || (phase.shouldRun && !(await phase.shouldRun(ctx)))) {
          p.status = 'skipped';
          progress.phaseSkipped(phase.title);
          continue;
        }
        progress.phaseStart(i, phases.length, phase.title);
        await this.#untilInterrupted(this.#runPhase(phase, ctx));
        p.status = 'ok';
        p.durationMs = elapsed(t0);
        progress.phaseDone(phase.title, p.durationMs);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        p.status = 'failed';
        p.durationMs = elapsed(t0);
        p.error = phaseError(e);
        summary.ok = false;
        this.#failure = e;
        summary.errors.push(...errorsOf(phase.title, e, p.hosts));
        // An interrupt has said its one line already: here only that the phase stopped.
        progress.phaseFailed(phase.title, p.durationMs, e instanceof InterruptedError ? `stopped (${e.signal})` : (p.error.split('\n')[0] ?? ''));
      } finally {
        this.#current = undefined;
      }
    }
    summary.durationMs = elapsed(started);
    return summary;
  }

  async #runPhase<C extends PhaseContext>(phase: Phase<C>, ctx: C): Promise<void> {
    if (!this.#opts.dryRun) await phase.run(ctx);
    else if (phase.readOnly) {
      await phase.run(ctx);
      await phase.dryRun(ctx);
    } else await phase.dryRun(ctx);
  }

  /**
   * The phase's work, or an InterruptedError as soon as the run is interrupted. The work itself is
   * abandoned, not awaited: its connections are closed when the command unwinds.
   */
  #untilInterrupted(work: Promise<void>): Promise<void> {
    if (this.#interrupted) return Promise.reject(this.#interrupted);
    work.catch(() => {});
    return new Promise<void>((resolve, reject) => {
      this.#onInterrupt = reject;
      // Cleared only if still this phase's: this callback runs after the next phase may have set its own.
      work.then(resolve, reject).finally(() => {
        if (this.#onInterrupt === reject) this.#onInterrupt = undefined;
      });
    });
  }

  /**
   * Stop the run: the running phase fails with an InterruptedError naming the hosts it was working
   * on, no further phase or host starts, and execute() returns the summary as for any failure.
   */
  interrupt(signal: StopSignal): InterruptedError {
    const phase = this.#current?.title;
    const hosts = [...this.#busy];
    const where = phase ? `during "${phase}"${hosts.length ? ` on ${hosts.join(', ')}` : ''}` : '';
    this.#interrupted ??= new InterruptedError(signal, where);
    this.#onInterrupt?.(this.#interrupted);
    return this.#interrupted;
  }

  /** The error that failed the run (after execute), for its exit code: 2 for bad input, else 1. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  async #forEachHost<H extends HostRef, T>(
    hosts: readonly H[],
    fn: (host: H) => Promise<T>,
    o: ForEachHostOptions = {},
  ): Promise<Array<HostResult<H, T>>> {
    const limit = pLimit(o.concurrency ?? this.#opts.concurrency);
    const phase = this.#current;
    let stop = false;
    if (phase) this.#opts.progress.hostsStarting(hosts.length);
    const results = await Promise.all(
      hosts.map((host) =>
        limit(async (): Promise<HostResult<H, T> | undefined> => {
          const name = hostName(host);
          if (stop || this.#interrupted) return undefined;
          const t0 = performance.now();
          this.#busy.add(name);
          if (phase) this.#hostLine(name, 'info', `phase ${phase.title}: start`);
          try {
            const value = await fn(host);
            const durationMs = elapsed(t0);
            this.#record(phase, { host: name, ok: true, durationMs });
            return { host, name, ok: true, value, durationMs };
          } catch (err) {
            const error = err instanceof Error ? err : new Error(String(err));
            const durationMs = elapsed(t0);
            if (o.failFast) stop = true;
            this.#record(phase, { host: name, ok: false, durationMs, error: withoutHost(name, firstLine(error.message)) });
            return { host, name, ok: false, error, durationMs };
          } finally {
            this.#busy.delete(name);
          }
        }),
      ),
    );
    const done = results.filter((r): r is HostResult<H, T> => r !== undefined);
    const failures = done.filter((r) => !r.ok);
    if (failures.length > 0 && !o.tolerateFailures) {
      throw new MultiHostError(failures.map((f) => ({ host: f.name, error: (f as { error: Error }).error })));
    }
    return done;
  }

  #record(phase: PhaseSummary | undefined, outcome: HostOutcome): void {
    // Work abandoned by an interrupt may still end; the summary is written by then.
    if (this.#interrupted) return;
    phase?.hosts.push(outcome);
    if (phase) this.#hostLine(outcome.host, outcome.ok ? 'info' : 'warn', `phase ${phase.title}: ${outcome.ok ? 'ok' : `failed: ${outcome.error}`}`);
    this.#opts.progress.hostDone(outcome.host, outcome.ok, outcome.durationMs, outcome.error);
  }

  #intent(host: string | undefined, text: string): void {
    this.#current?.intents.push(host === undefined ? { text } : { host, text });
  }

  #hostLine(host: string, kind: LineKind, line: string): void {
    this.#opts.hostLogs?.line(host, kind, line);
    if (this.#opts.debug) this.#opts.progress.debug(host, kind, line);
  }
}

/** Turn a phase's error into summary entries, one per failed host when the hosts are known. */
function errorsOf(phase: string, e: Error, hosts: HostOutcome[]): RunSummary['errors'] {
  if (e instanceof InterruptedError) return [{ phase, message: e.message }];
  if (e instanceof MultiHostError) {
    return e.failures.map((f) => ({ phase, host: f.host, message: withoutHost(f.host, firstLine(f.error.message)) }));
  }
  if (e instanceof HostError) return [{ phase, host: e.host, message: withoutHost(e.host, firstLine(e.message)) }];
  // Several problems of one refusal (e.g. the plan's): one entry each, so none is lost in the summary.
  if (e instanceof UserError && e.details.length > 0) return [e.message, ...e.details].map((m) => ({ phase, message: firstLine(m) }));
  const failed = hosts.filter((h) => !h.ok);
  if (failed.length > 0) return failed.map((h) => ({ phase, host: h.host, message: h.error ?? firstLine(e.message) }));
  return [{ phase, message: firstLine(e.message) }];
}

/** What a failed phase says: the hosts were each reported already, so only name them here. */
function phaseError(e: Error): string {
  if (e instanceof MultiHostError) return `${e.failures.length} host(s) failed: ${e.failures.map((f) => f.host).join(', ')}`;
  return redact(e.message);
}

/** HostError messages start with "host: "; the summary names the host in its own field. */
function withoutHost(host: string, message: string): string {
  return message.startsWith(`${host}: `) ? message.slice(host.length + 2) : message;
}

/** Milliseconds since `t0`, to 0.1 ms (enough for a summary, readable in JSON). */
function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

function firstLine(s: string): string {
  return redact(s).split('\n')[0] ?? '';
}
