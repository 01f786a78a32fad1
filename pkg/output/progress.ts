// Progress of a run on stderr (stdout is kept for results and the `-o json` summary):
// an ora spinner per phase on a TTY, plain timestamped lines otherwise.
import type { ChalkInstance } from 'chalk';
import type { Ora, Options as OraOptions } from 'ora';
import { redact } from '../secret/secret.js';
import { chalkFor, type StreamLike } from './color.js';
import { formatMs } from './summary.js';

export interface Progress {
  phaseStart(index: number, total: number, title: string): void;
  /** The running phase is about to work on `count` more hosts (the done/total count shown). */
  hostsStarting(count: number): void;
  phaseSkipped(title: string): void;
  phaseDone(title: string, durationMs: number): void;
  phaseFailed(title: string, durationMs: number, message: string): void;
  hostDone(host: string, ok: boolean, durationMs: number, error?: string): void;
  info(text: string): void;
  warn(text: string): void;
  /** A host log line shown live (only with --debug). */
  debug(host: string, kind: string, text: string): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & StreamLike;
  /** Force plain lines even on a TTY (tests, `-o json`). */
  plain?: boolean;
  /** Print nothing at all. */
  silent?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Plain lines: how often a long phase says it is still running (default 15 s). */
  heartbeatMs?: number;
}

/** How often the spinner's line (elapsed time, hosts done) is redrawn. */
const SPINNER_REFRESH_MS = 1000;
const HEARTBEAT_MS = 15_000;

export async function createProgress(opts: ProgressOptions = {}): Promise<Progress> {
  const stream = opts.stream ?? process.stderr;
  const c = chalkFor(stream, opts.env);
  if (opts.silent) return new SilentProgress();
  // ora is loaded only for a terminal: CI, -o json and the benches do not pay its start-up.
  if (!opts.plain && spinnerFits(stream)) return new SpinnerProgress(stream, c, (await import('ora')).default);
  return new PlainProgress(stream, c, opts.heartbeatMs ?? HEARTBEAT_MS);
}

/** The running phase as both kinds of progress show it: "[3/9] Push rootfs  2/5 hosts  1m04s". */
class RunningPhase {
  readonly started = Date.now();
  hostsDone = 0;
  hostsTotal = 0;

  constructor(
    readonly index: number,
    readonly total: number,
    readonly title: string,
  ) {}

  get head(): string {
    return `[${this.index + 1}/${this.total}] ${this.title}`;
  }

  /** "2/5 hosts, 1m04s" (no host count before the phase has named its hosts). */
  status(): string {
    const hosts = this.hostsTotal > 0 ? `${this.hostsDone}/${this.hostsTotal} hosts, ` : '';
    return `${hosts}${formatMs(Date.now() - this.started)}`;
  }
}

/** A timer that never keeps the process alive on its own. */
function every(ms: number, fn: () => void): NodeJS.Timeout {
  const t = setInterval(fn, ms);
  t.unref();
  return t;
}

/** A spinner redraws within one line: narrower than this it cannot (ora loops on 0 columns). */
const MIN_SPINNER_COLUMNS = 20;

/**
 * A terminal the spinner can draw on. A pseudo-terminal that reports 0 columns (`script`, some CI
 * runners, `stty cols 0`) or none at all gets the plain lines instead.
 */
export function spinnerFits(stream: StreamLike & { columns?: number }): boolean {
  return Boolean(stream.isTTY) && typeof stream.columns === 'number' && stream.columns >= MIN_SPINNER_COLUMNS;
}

export class SilentProgress implements Progress {
  phaseStart(): void {}
  hostsStarting(): void {}
  phaseSkipped(): void {}
  phaseDone(): void {}
  phaseFailed(): void {}
  hostDone(): void {}
  info(): void {}
  warn(): void {}
  debug(): void {}
}

/**
 * Non-TTY: one timestamped line per event, greppable in CI logs; a phase that runs long says so
 * every heartbeat, so a CI job's log shows it is alive (and where) without any cursor movement.
 */
export class PlainProgress implements Progress {
  private phase: RunningPhase | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: StreamLike,
    private readonly c: ChalkInstance,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  private line(text: string): void {
    this.stream.write(`${this.c.dim(new Date().toISOString())} ${redact(text)}\n`);
  }

  private stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.phase = undefined;
  }

  phaseStart(index: number, total: number, title: string): void {
    this.stop();
    const phase = (this.phase = new RunningPhase(index, total, title));
    this.line(`${phase.head} ...`);
    this.heartbeat = every(this.heartbeatMs, () => this.line(`${phase.head}: still running (${phase.status()})`));
  }
  hostsStarting(count: number): void {
    if (this.phase) this.phase.hostsTotal += count;
  }
  phaseSkipped(title: string): void {
    this.line(`skip ${title} (nothing to do)`);
  }
  phaseDone(title: string, ms: number): void {
    this.stop();
    this.line(`${this.c.green('done')} ${title} (${formatMs(ms)})`);
  }
  phaseFailed(title: string, ms: number, message: string): void {
    this.stop();
    this.line(`${this.c.red('FAILED')} ${title} (${formatMs(ms)}): ${message}`);
  }
  hostDone(host: string, ok: boolean, ms: number, error?: string): void {
    if (this.phase) this.phase.hostsDone++;
    const count = this.phase && this.phase.hostsTotal > 1 ? ` [${this.phase.hostsDone}/${this.phase.hostsTotal}]` : '';
    this.line(ok ? `  ${host}: ok (${formatMs(ms)})${count}` : `  ${host}: ${this.c.red('failed')}: ${error ?? ''}${count}`);
  }
  info(text: string): void {
    this.line(text);
  }
  warn(text: string): void {
    this.line(`${this.c.yellow('warning:')} ${text}`);
  }
  debug(host: string, kind: string, text: string): void {
    this.line(this.c.dim(`  ${host} ${kind}: ${text}`));
  }
}

/**
 * TTY: a spinner for the running phase, its line redrawn every second with the hosts done and the
 * time elapsed; host results and notes printed above it.
 */
class SpinnerProgress implements Progress {
  private spinner: Ora | undefined;
  private phase: RunningPhase | undefined;
  private refresh: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream & StreamLike,
    private readonly c: ChalkInstance,
    private readonly ora: (options: OraOptions) => Ora,
  ) {}

  /** Print a line without breaking the spinner. */
  private above(text: string): void {
    this.spinner?.clear();
    this.stream.write(`${redact(text)}\n`);
    this.spinner?.render();
  }

  private text(): string {
    return this.phase ? `${this.phase.head}  ${this.c.dim(this.phase.status())}` : '';
  }

  private stop(): Ora | undefined {
    clearInterval(this.refresh);
    const spinner = this.spinner;
    this.spinner = this.phase = this.refresh = undefined;
    return spinner;
  }

  phaseStart(index: number, total: number, title: string): void {
    this.stop()?.stop();
    this.phase = new RunningPhase(index, total, title);
    this.spinner = this.ora({ text: this.text(), stream: this.stream, discardStdin: false, color: 'cyan', isEnabled: true }).start();
    this.refresh = every(SPINNER_REFRESH_MS, () => {
      if (this.spinner) this.spinner.text = this.text();
    });
  }
  hostsStarting(count: number): void {
    if (!this.phase || !this.spinner) return;
    this.phase.hostsTotal += count;
    this.spinner.text = this.text();
  }
  phaseSkipped(title: string): void {
    this.stream.write(`${this.c.dim(`- ${title} (nothing to do)`)}\n`);
  }
  phaseDone(title: string, ms: number): void {
    this.stop()?.succeed(`${title} ${this.c.dim(`(${formatMs(ms)})`)}`);
  }
  phaseFailed(title: string, ms: number, message: string): void {
    this.stop()?.fail(`${title} ${this.c.dim(`(${formatMs(ms)})`)}: ${this.c.red(redact(message))}`);
  }
  hostDone(host: string, ok: boolean, ms: number, error?: string): void {
    if (this.phase && this.spinner) {
      this.phase.hostsDone++;
      this.spinner.text = this.text();
    }
    this.above(ok ? `  ${this.c.green('✔')} ${host} ${this.c.dim(formatMs(ms))}` : `  ${this.c.red('✖')} ${host}: ${error ?? ''}`);
  }
  info(text: string): void {
    this.above(text);
  }
  warn(text: string): void {
    this.above(`${this.c.yellow('warning:')} ${text}`);
  }
  debug(host: string, kind: string, text: string): void {
    this.above(this.c.dim(`  ${host} ${kind}: ${text}`));
  }
}
