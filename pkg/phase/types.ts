// The shape of a phase and of the context every phase receives.
import type { LineSink } from '../ssh/types.js';

/** Anything that can be fanned out over: a HostSpec, a Target, or a plain { ip }. */
export interface HostRef {
  ip: string;
  /** Shown in logs and errors instead of the IP when set. */
  name?: string;
}

export function hostName(h: HostRef): string {
  return h.name ?? h.ip;
}

export interface ForEachHostOptions {
  /** Stop starting queued hosts after the first failure (hosts already running finish). Default false. */
  failFast?: boolean;
  /** Return failures in the results instead of throwing a MultiHostError after all hosts finished. Default false. */
  tolerateFailures?: boolean;
  /** Override the run's --concurrency for this fan-out (e.g. 1 for masters joining one at a time). */
  concurrency?: number;
}

export type HostResult<H, T> =
  | { host: H; name: string; ok: true; value: T; durationMs: number }
  | { host: H; name: string; ok: false; error: Error; durationMs: number };

/**
 * What every phase gets. Commands extend it with their own fields (the Cluster, the SSH pool, the
 * runtime ...): `Phase<MyContext>` where `MyContext extends PhaseContext`.
 */
export interface PhaseContext {
  readonly dryRun: boolean;
  readonly concurrency: number;
  /** Give this to the SSH pool (`PoolOptions.onLine`): every host line lands in its log file. */
  readonly onLine: LineSink;
  /**
   * Run `fn` for every host, at most `concurrency` at a time. Each host's outcome is recorded in the
   * summary. By default one failing host does not stop the others, and after all finished a
   * MultiHostError naming every failed host is thrown (the phase fails).
   */
  forEachHost<H extends HostRef, T>(
    hosts: readonly H[],
    fn: (host: H) => Promise<T>,
    opts?: ForEachHostOptions,
  ): Promise<Array<HostResult<H, T>>>;
  /** Dry run: record what the phase would do (per host, or phase-wide when host is undefined). */
  intent(host: string | undefined, text: string): void;
  info(text: string): void;
  warn(text: string): void;
}

export interface Phase<C extends PhaseContext = PhaseContext> {
  readonly title: string;
  /**
   * It only reads (connect, gather facts, decide): a dry run runs it for real, so `plan` decides
   * from the same facts by the same code as `apply`; its dryRun() then reports what it found.
   */
  readonly readOnly?: boolean;
  /** The hosts it concerns, from the facts and the plan; none = the phase is skipped. */
  hosts?(ctx: C): readonly HostRef[];
  /** False = nothing to do (already converged); the phase is reported as skipped. Default: run. */
  shouldRun?(ctx: C): boolean | Promise<boolean>;
  run(ctx: C): Promise<void>;
  /** Say what run() would do, through ctx.intent(); must not change any host. */
  dryRun(ctx: C): Promise<void> | void;
}
