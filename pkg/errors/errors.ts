// Error kinds map to exit codes: bad input is 2, a failure on hosts is 1.
import { redact } from '../secret/secret.js';

export const EXIT_OK = 0;
export const EXIT_HOST_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** One problem in an input file, pinned to where it is written (1-based line and column). */
export interface InputProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatProblem(p: InputProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/** Bad input: a Clusterfile problem, a bad flag, an unknown cluster. Exit code 2. */
export class UserError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  /** Extra lines (e.g. every validation problem), printed one per line after the message. */
  readonly details: string[];
  /** The problems behind the details, when they are positions in a file (for `-o json`). */
  readonly problems: InputProblem[];
  constructor(message: string, details: string[] = [], problems: InputProblem[] = []) {
    super(redact(message));
    this.name = 'UserError';
    this.details = details.map(redact);
    this.problems = problems.map((p) => ({ ...p, message: redact(p.message) }));
  }

  /** Problems in a file: the details are their `FILE:LINE:COL: message` lines. */
  static inFile(message: string, problems: InputProblem[]): UserError {
    return new UserError(message, problems.map(formatProblem), problems);
  }
}

/** A step that failed on one host. Exit code 1. The message names the host and the step. */
export class HostError extends Error {
  readonly exitCode = EXIT_HOST_FAILURE;
  constructor(
    readonly host: string,
    readonly step: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(redact(`${host}: ${step}: ${detail}`), options);
    this.name = 'HostError';
  }
}

/** Several hosts failed; each is named with its own error. Exit code 1. */
export class MultiHostError extends Error {
  readonly exitCode = EXIT_HOST_FAILURE;
  constructor(readonly failures: ReadonlyArray<{ host: string; error: Error }>) {
    super(
      `${failures.length} host(s) failed: ` +
        failures.map((f) => `${f.host}: ${redact(f.error.message).split('\n')[0]}`).join('; '),
    );
    this.name = 'MultiHostError';
  }
}

/** Not built yet: exit 2 with one line, never a fake success. */
export class NotImplementedError extends UserError {
  constructor(what: string) {
    super(`${what}: not implemented yet`);
    this.name = 'NotImplementedError';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err && typeof err === 'object' && 'exitCode' in err && typeof err.exitCode === 'number') return err.exitCode;
  return EXIT_HOST_FAILURE;
}
