// Progress of a run on stderr (stdout is kept for results and the `-o json` summary):
// an ora spinner per phase on a TTY, plain timestamped lines otherwise.
import type { ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';
import { redact } from '../secret/secret.js';
import { chalkFor, type StreamLike } from './color.js';
import { formatMs } from './summary.js';

export interface Progress {
  phaseStart(index: number, total: number, title: string): void;
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
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const c = chalkFor(stream, opts.env);
  if (opts.silent) return new SilentProgress();
  if (!opts.plain && spinnerFits(stream)) return new SpinnerProgress(stream, c);
  return new PlainProgress(stream, c);
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

class SilentProgress implements Progress {
  phaseStart(): void {}
  phaseSkipped(): void {}
  phaseDone(): void {}
  phaseFailed(): void {}
  hostDone(): void {}
  info(): void {}
  warn(): void {}
  debug(): void {}
}

/** Non-TTY: one timestamped line per event, greppable in CI logs. */
export class PlainProgress implements Progress {
  constructor(
    private readonly stream: StreamLike,
    private readonly c: ChalkInstance,
  ) {}

  private line(text: string): void {
    this.stream.write(`${this.c.dim(new Date().toISOString())} ${redact(text)}\n`);
  }

  phaseStart(index: number, total: number, title: string): void {
    this.line(`[${index + 1}/${total}] ${title} ...`);
  }
  phaseSkipped(title: string): void {
    this.line(`skip ${title} (nothing to do)`);
  }
  phaseDone(title: string, ms: number): void {
    this.line(`${this.c.green('done')} ${title} (${formatMs(ms)})`);
  }
  phaseFailed(title: string, ms: number, message: string): void {
    this.line(`${this.c.red('FAILED')} ${title} (${formatMs(ms)}): ${message}`);
  }
  hostDone(host: string, ok: boolean, ms: number, error?: string): void {
    this.line(ok ? `  ${host}: ok (${formatMs(ms)})` : `  ${host}: ${this.c.red('failed')}: ${error ?? ''}`);
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

/** TTY: a spinner for the running phase; host results and notes printed above it. */
class SpinnerProgress implements Progress {
  private spinner: Ora | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream & StreamLike,
    private readonly c: ChalkInstance,
  ) {}

  /** Print a line without breaking the spinner. */
  private above(text: string): void {
    this.spinner?.clear();
    this.stream.write(`${redact(text)}\n`);
    this.spinner?.render();
  }

  phaseStart(index: number, total: number, title: string): void {
    this.spinner = ora({ text: `[${index + 1}/${total}] ${title}`, stream: this.stream, discardStdin: false, color: 'cyan', isEnabled: true }).start();
  }
  phaseSkipped(title: string): void {
    this.stream.write(`${this.c.dim(`- ${title} (nothing to do)`)}\n`);
  }
  phaseDone(title: string, ms: number): void {
    this.spinner?.succeed(`${title} ${this.c.dim(`(${formatMs(ms)})`)}`);
    this.spinner = undefined;
  }
  phaseFailed(title: string, ms: number, message: string): void {
    this.spinner?.fail(`${title} ${this.c.dim(`(${formatMs(ms)})`)}: ${this.c.red(redact(message))}`);
    this.spinner = undefined;
  }
  hostDone(host: string, ok: boolean, ms: number, error?: string): void {
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
