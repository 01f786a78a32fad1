// `-o json` and `-o yaml` promise a program exactly one document on stdout, whatever happens. Every
// command writes its result through writeDocument; when a command fails before it wrote one (bad
// input, no such cluster, a held lock, a host failure outside a run), the CLI writes the error
// document instead, and never a second one after a run's summary.
import { stringify } from 'yaml';
import { exitCodeOf, type InputProblem, MultiHostError, UserError, HostError } from '../errors/errors.js';
import { redact } from '../secret/secret.js';
import type { OutputFormat } from './format.js';

export type DocumentFormat = Exclude<OutputFormat, 'text'>;

/** The streams a document went to in this process. */
const written = new WeakSet<object>();

export function writeDocument(format: DocumentFormat, value: unknown, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value));
  written.add(stream);
}

/** A document already rendered (plan -o yaml: the Clusterfile and the files apply would write). */
export function writeRenderedDocument(text: string, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(text);
  written.add(stream);
}

export function wroteDocument(stream: NodeJS.WritableStream = process.stdout): boolean {
  return written.has(stream);
}

/** What a failed command prints in place of its result. */
export interface ErrorDocument {
  command: string;
  ok: false;
  exitCode: number;
  error: string;
  /** Bad input in a file: each problem with file, line, column and message. */
  problems?: InputProblem[];
  /** Failures on hosts, each naming its host. */
  errors?: Array<{ host?: string; message: string }>;
}

export function errorDocument(command: string, err: unknown): ErrorDocument {
  const e = err instanceof Error ? err : new Error(String(err));
  const doc: ErrorDocument = { command, ok: false, exitCode: exitCodeOf(e), error: redact(e.message) };
  if (e instanceof UserError && e.problems.length > 0) doc.problems = e.problems;
  if (e instanceof MultiHostError) doc.errors = e.failures.map((f) => ({ host: f.host, message: redact(f.error.message) }));
  else if (e instanceof HostError) doc.errors = [{ host: e.host, message: redact(e.message) }];
  return doc;
}
