// What every command shares: the global flags and the one place errors become exit codes.
import type { Command } from 'commander';
import { exitCodeOf, UserError } from '../pkg/errors/errors.js';
import type { OutputFormat } from '../pkg/output/format.js';
import { expandIPs } from '../pkg/clusterfile/index.js';
import { redact } from '../pkg/secret/secret.js';
import type { RunFlags } from '../pkg/workflow/open.js';

export type { OutputFormat };

/** The global flags, validated: exactly what every lifecycle operation receives. */
export type GlobalOptions = RunFlags;

/** The global flags as seen from any (sub)command. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const output = String(o.output ?? 'text');
  if (output !== 'text' && output !== 'json' && output !== 'yaml') {
    throw new UserError(`--output: expected text, json or yaml, got ${JSON.stringify(output)}`);
  }
  const concurrency = Number(o.concurrency ?? 32);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UserError(`--concurrency: expected a positive integer, got ${JSON.stringify(o.concurrency)}`);
  }
  return {
    cluster: o.cluster === undefined ? undefined : String(o.cluster),
    concurrency,
    dryRun: Boolean(o.dryRun),
    output,
    yes: Boolean(o.yes),
    debug: Boolean(o.debug),
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
      const cmd = args[args.length - 1] as Command | undefined;
      const debug = Boolean(cmd && typeof cmd.optsWithGlobals === 'function' && cmd.optsWithGlobals().debug);
      reportError(err, debug);
      process.exitCode = exitCodeOf(err);
    }
  };
}

export function reportError(err: unknown, debug: boolean): void {
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`error: ${redact(e.message)}\n`);
  if (e instanceof UserError) for (const d of e.details) process.stderr.write(`${d}\n`);
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
