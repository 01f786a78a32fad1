// What every command shares: the global flags and the one place errors become exit codes.
import type { Command } from 'commander';
import { exitCodeOf, UserError } from '../pkg/errors/errors.js';
import type { OutputFormat } from '../pkg/output/format.js';
import { errorDocument, writeDocument, wroteDocument } from '../pkg/output/document.js';
import { expandIPs } from '../pkg/clusterfile/index.js';
import { redact } from '../pkg/secret/secret.js';
import { oneLine, quoted } from '../pkg/errors/show.js';
import type { RunFlags } from '../pkg/workflow/open.js';

export type { OutputFormat };

/** The global flags, validated: exactly what every lifecycle operation receives. */
export type GlobalOptions = RunFlags;

/** The global flags as seen from any (sub)command. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const output = String(o.output ?? 'text');
  if (output !== 'text' && output !== 'json' && output !== 'yaml') {
    throw new UserError(`--output: expected text, json or yaml, got ${quoted(output)}`);
  }
  const concurrency = Number(o.concurrency ?? 32);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UserError(`--concurrency: expected a positive integer, got ${quoted(o.concurrency)}`);
  }
  return {
    cluster: o.cluster === undefined ? undefined : String(o.cluster),
    concurrency,
    dryRun: Boolean(o.dryRun),
    output,
    yes: Boolean(o.yes),
    relay: o.relay !== false,
    debug: Boolean(o.debug),
    quiet: Boolean(o.quiet),
  };
}

/**
 * Wrap a command handler: errors become one clear line on stderr (plus detail lines such as every
 * validation problem) and the matching exit code; secrets are scrubbed; stacks only with --debug.
 */
export function action<A extends unknown[]>(
  handler: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (err) {
      const cmd = args[args.length - 1] as Command;
      const o = cmd.optsWithGlobals() as { debug?: boolean; output?: string };
      reportError(err, Boolean(o.debug));
      // -o json/yaml: the one document is the error's, unless the command already wrote its own.
      if ((o.output === 'json' || o.output === 'yaml') && !wroteDocument()) writeDocument(o.output, errorDocument(commandPath(cmd), err));
      process.exitCode = exitCodeOf(err);
    }
  };
}

/** `cert renew`, `etcd backup`: the command as the user typed it, without the program's name. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ') || cmd.name();
}

export function reportError(err: unknown, debug: boolean): void {
  const e = err instanceof Error ? err : new Error(String(err));
  if ((e as { reported?: boolean }).reported === true) return; // said already, in its one line
  // One problem, one line: whatever a message carries (remote output, a value with a newline) is escaped.
  process.stderr.write(`error: ${oneLine(redact(e.message))}\n`);
  // A lone problem is the message itself: not said twice.
  if (e instanceof UserError) for (const d of e.details) if (d !== e.message) process.stderr.write(`${oneLine(d)}\n`);
  if (debug && e.stack) process.stderr.write(`${redact(e.stack)}\n`);
}

/**
 * An IP-list flag (`a,b`, `ip:port`, ranges `198.18.0.11-198.18.0.15`) expanded through the
 * Clusterfile's own parser; a bad list is one line naming the flag.
 */
export function ipListFlag(flag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    return expandIPs(value);
  } catch (err) {
    throw new UserError(`${flag}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** Two IP-list flags must not name the same host. */
export function disjoint(a: { flag: string; ips: string[] }, b: { flag: string; ips: string[] }): void {
  const ipOf = (entry: string) => entry.split(':')[0];
  const theirs = new Set(b.ips.map(ipOf));
  const both = a.ips.filter((entry) => theirs.has(ipOf(entry)));
  if (both.length > 0) throw new UserError(`${both.join(', ')}: given in both ${a.flag} and ${b.flag}`);
}

/** What a command says on success beyond its answer (written, built, reissued): left out with --quiet. */
export function say(g: GlobalOptions, text: string, stream: NodeJS.WritableStream = process.stdout): void {
  if (!g.quiet) stream.write(text);
}

/** The examples under a command's --help: every command has at least one. */
export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}
