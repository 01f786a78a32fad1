// Fan-out over hosts with a concurrency bound (p-limit). Every host gets a result; one failure does
// not stop the others unless failFast is set, and the summary names every failed host.
import pLimit from 'p-limit';
import { MultiHostError } from '../errors/errors.js';

export interface HostResult<T> {
  host: string;
  ok: boolean;
  value?: T;
  error?: Error;
}

export interface FanOutOptions {
  concurrency: number;
  /** After the first failure, hosts not yet started are not started (their error says so). */
  failFast?: boolean;
}

export async function forEachHost<H extends { name: string }, T>(
  hosts: readonly H[],
  fn: (host: H) => Promise<T>,
  opts: FanOutOptions,
): Promise<Array<HostResult<T>>> {
  const limit = pLimit(Math.max(1, opts.concurrency));
  let failed = false;
  return Promise.all(
    hosts.map((h) =>
      limit(async (): Promise<HostResult<T>> => {
        if (failed && opts.failFast) return { host: h.name, ok: false, error: new Error('not started: an earlier host failed') };
        try {
          return { host: h.name, ok: true, value: await fn(h) };
        } catch (e) {
          failed = true;
          return { host: h.name, ok: false, error: e instanceof Error ? e : new Error(String(e)) };
        }
      }),
    ),
  );
}

/** Throws a MultiHostError naming every failed host and why; returns the values otherwise. */
export function requireAllOk<T>(results: ReadonlyArray<HostResult<T>>): T[] {
  const failures = results.filter((r) => !r.ok).map((r) => ({ host: r.host, error: r.error! }));
  if (failures.length > 0) throw new MultiHostError(failures);
  return results.map((r) => r.value as T);
}
