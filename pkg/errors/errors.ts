// Error kinds map to exit codes: bad input is 2, a failure on hosts is 1.
import { redact } from '../secret/secret.js';

export const EXIT_OK = 0;
export const EXIT_HOST_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input: a Clusterfile problem, a bad flag, an unknown cluster. Exit code 2. */
export class UserError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  /** Extra lines (e.g. every validation problem), printed one per line after the message. */
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(redact(message));
    this.name = 'UserError';
    this.details = details.map(redact);
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
