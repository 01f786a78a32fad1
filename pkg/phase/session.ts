// A command's run from start to finish: run id, per-host log dir, progress, and the final report
// (text on stdout, or exactly one JSON document on stdout with `-o json`), failures -> exit code.
import { exitCodeOf, EXIT_BAD_INPUT } from '../errors/errors.js';
import { chalkFor } from '../output/color.js';
import type { OutputFormat } from '../output/format.js';
import { HostLogs } from '../output/host-logs.js';
import { createProgress, type Progress } from '../output/progress.js';
import { writeDocument } from '../output/document.js';
import { failedHosts, renderSummaryText, type RunSummary } from '../output/summary.js';
import { newRunId } from '../state/store.js';
import type { ClusterState } from '../state/store.js';
import { InterruptedError, onInterrupt } from './interrupt.js';
import { Run } from './runner.js';
import type { Phase, PhaseContext } from './types.js';

export interface SessionOptions {
  command: string;
  /** The cluster's name for the summary (default: the state's name). */
  cluster?: string;
  /** Where logs/<run-id>/ goes; without it host lines are not written to files (e.g. plan). */
  state?: ClusterState;
  output: OutputFormat;
  dryRun: boolean;
  concurrency: number;
  debug: boolean;
  /** No progress lines at all (plan: the summary is the whole answer). */
  quiet?: boolean;
  /** Print the text summary (-o text); false: only a failure's error lines, by the caller (--quiet). */
  textSummary?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Attached to the summary as `rendered` (plan: the documents apply would write), read after the phases ran. */
  rendered?: () => RunSummary['rendered'];
}

/** A run failed: the message names every failed host; exit 1 (or 2 when the cause was bad input). */
export class RunFailedError extends Error {
  readonly exitCode: number;
  /** Stopped by a signal: the one line saying so was printed when it came; nothing more to report. */
  readonly reported: boolean;
  constructor(
    readonly summary: RunSummary,
    cause: Error | undefined,
  ) {
    const hosts = failedHosts(summary);
    const first = summary.errors[0];
    super(
      hosts.length > 0
        ? `${summary.command} failed on ${hosts.length} host(s): ` +
            summary.errors.filter((e) => e.host).map((e) => `${e.host}: ${e.message}`).join('; ')
        : `${summary.command} failed: ${first ? `[${first.phase}] ${first.message}` : 'unknown error'}`,
    );
    this.name = 'RunFailedError';
    const code = cause ? exitCodeOf(cause) : 1;
    this.reported = cause instanceof InterruptedError;
    if (cause instanceof InterruptedError) this.exitCode = code;
    else this.exitCode = code === EXIT_BAD_INPUT && hosts.length === 0 ? EXIT_BAD_INPUT : 1;
  }
}

export class Session {
  readonly run: Run;
  readonly progress: Progress;
  readonly runId: string;
  readonly hostLogs: HostLogs | undefined;
  readonly #opts: SessionOptions;

  private constructor(opts: SessionOptions, runId: string, progress: Progress, hostLogs: HostLogs | undefined) {
    this.#opts = opts;
    this.runId = runId;
    this.progress = progress;
    this.hostLogs = hostLogs;
    this.run = new Run({
      command: opts.command,
      cluster: opts.cluster ?? opts.state?.name,
      runId,
      dryRun: opts.dryRun,
      concurrency: opts.concurrency,
      progress,
      hostLogs,
      debug: opts.debug,
    });
  }

  static async start(opts: SessionOptions): Promise<Session> {
    const runId = newRunId();
    const hostLogs = opts.state ? new HostLogs(await opts.state.logDir(runId)) : undefined;
    // Progress goes to stderr; in -o json it stays plain so a TTY spinner cannot garble a captured stream.
    const progress = await createProgress({ stream: opts.stderr ?? process.stderr, plain: opts.output !== 'text', silent: opts.quiet });
    return new Session(opts, runId, progress, hostLogs);
  }

  /** The base context; spread it into the command's own context. */
  get ctx(): PhaseContext {
    return this.run.ctx;
  }

  /**
   * Run the phases, print the summary (text or the one JSON document) on stdout, close the logs.
   * Throws RunFailedError when a phase failed (the caller's `action()` turns it into the exit code).
   */
  async execute<C extends PhaseContext>(phases: ReadonlyArray<Phase<C>>, ctx: C): Promise<RunSummary> {
    let summary: RunSummary;
    const stderr = this.#opts.stderr ?? process.stderr;
    const release = onInterrupt((signal) => {
      const e = this.run.interrupt(signal);
      stderr.write(`${this.#opts.command}: ${e.message}; stopping: summary and host logs written, lock released; run ${this.#opts.command} again to resume from what the hosts run (a second ${signal} exits at once)\n`);
    });
    try {
      summary = await this.run.execute(phases, ctx);
      const rendered = summary.ok ? this.#opts.rendered?.() : undefined;
      if (rendered) summary = { ...summary, rendered };
    } finally {
      release();
      await this.hostLogs?.close();
    }
    const stdout = this.#opts.stdout ?? process.stdout;
    if (this.#opts.output === 'text') {
      if (this.#opts.textSummary !== false) stdout.write(renderSummaryText(summary, chalkFor(stdout)));
    } else writeDocument(this.#opts.output, summary, stdout);
    if (!summary.ok) throw new RunFailedError(summary, this.run.failure);
    return summary;
  }
}
