// sha256 of files on a host, cheap on a re-push: the sums are kept on the host with each file's
// inode, size and ctime (like git's index). A file whose stat still matches is not read again; any
// write, chmod or replacement changes its ctime, and ctime cannot be set back by a user. ctime is
// read to the nanosecond: in whole seconds, a write in the same second as the upload went unseen.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { literal, sh, type ShellCommand } from '../shell/quote.js';
import type { RemoteShell } from './types.js';

/** The host-side sum cache of every upload destination (removed with the cluster's rootfs). */
export const UPLOAD_SUMS_DIR = '/var/lib/sealts/upload-sums';

/**
 * Prints "<inode> <size> <ctime, in ns: seconds would miss a write in the same second> <name>\0"
 * for each NUL-separated name on stdin, relative to the current directory. A constant fragment
 * for the scripts below and upload.ts' PLACE.
 */
export const STAT_NAMES_ON_STDIN = 'xargs -0 -r stat --printf "%i %s %.9Z %n\\0" -- 2>/dev/null';
/** The cache file "$2", a "\0\0" separator, then the stat records of the names under "$1". */
const PROBE = literal(['cat -- "$2" 2>/dev/null', 'printf "\\0\\0"', 'cd -- "$1" 2>/dev/null || exit 0', STAT_NAMES_ON_STDIN, 'exit 0'].join('\n'));
/** sha256 of the NUL-separated names on stdin, relative to "$1"; nothing when "$1" is missing. */
export const REMOTE_SUMS = literal('cd -- "$1" 2>/dev/null || exit 0; xargs -0 -r sha256sum -z -- 2>/dev/null; exit 0');

/** name -> the stat record (inode, size, ctime ns) the file had when its sha256 was taken. */
export type SumCache = Record<string, { stat: string; sha256: string }>;
type Cache = SumCache;

interface Call {
  sudo?: boolean;
  step: string;
}

export function nulList(names: readonly string[]): string {
  return names.map((n) => `${n}\0`).join('');
}

/** Run one of the constant scripts above with "$1".. = args and the NUL-separated names on stdin. */
async function runOverNames(conn: RemoteShell, script: ShellCommand, args: string[], names: readonly string[], c: Call, display: string): Promise<string> {
  const r = await conn.exec(sh(['sh', '-c', script, 'sh', ...args]), { sudo: c.sudo, stdin: nulList(names), check: false, quiet: true, step: c.step, display });
  return r.stdout;
}

/** The host-side cache file of the upload destination `dest`. */
export function sumCachePath(dest: string): string {
  return path.posix.join(UPLOAD_SUMS_DIR, `${createHash('sha256').update(path.posix.resolve('/', dest)).digest('hex').slice(0, 32)}.json`);
}

/** Parse `sha256sum -z` output: "<hex>  <name>\0" records. */
export function parseSums(out: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const rec of out.split('\0')) {
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(rec);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

export function parseStats(out: string): Map<string, string> {
  const stats = new Map<string, string>();
  for (const rec of out.split('\0')) {
    const m = /^(\d+ \d+ \d+(?:\.\d+)?) (.*)$/s.exec(rec);
    if (m) stats.set(m[2]!, m[1]!);
  }
  return stats;
}

export function parseSumCache(text: string): SumCache {
  try {
    const c = JSON.parse(text) as unknown;
    return c && typeof c === 'object' ? (c as Cache) : {};
  } catch {
    return {};
  }
}

export interface RemoteState {
  /** sha256 of every name present on the host */
  sums: Map<string, string>;
  stats: Map<string, string>;
  cache: Cache;
  /** some sums had to be computed: the cache is worth rewriting */
  stale: boolean;
}

/**
 * The sums the cache still vouches for (the file's stat record is the one it was hashed with), and
 * the names present whose stat changed or that have no record (`unknown`: to hash again). Names
 * `statOf` does not know are absent from the host and in neither.
 */
export function cachedSums(cache: SumCache, names: readonly string[], statOf: (name: string) => string | undefined): { sums: Map<string, string>; unknown: string[] } {
  const sums = new Map<string, string>();
  const unknown: string[] = [];
  for (const n of names) {
    const st = statOf(n);
    if (st === undefined) continue;
    const hit = cache[n];
    if (hit && hit.stat === st) sums.set(n, hit.sha256);
    else unknown.push(n);
  }
  return { sums, unknown };
}

/** One call for the cache and the stats; a second one only for files whose stat changed. */
export async function remoteSums(conn: RemoteShell, dest: string, names: readonly string[], c: Call): Promise<RemoteState> {
  const probe = await runOverNames(conn, PROBE, [dest, sumCachePath(dest)], names, c, `stat ${names.length} file(s) in ${dest}`);
  const cut = probe.indexOf('\0\0');
  const cache = parseSumCache(cut < 0 ? '' : probe.slice(0, cut));
  const stats = parseStats(cut < 0 ? '' : probe.slice(cut + 2));
  const { sums, unknown } = cachedSums(cache, names, (n) => stats.get(n));
  if (unknown.length > 0) {
    const out = await runOverNames(conn, REMOTE_SUMS, [dest], unknown, c, `sha256 of ${unknown.length} file(s) in ${dest}`);
    for (const [n, s] of parseSums(out)) sums.set(n, s);
  }
  return { sums, stats, cache, stale: unknown.length > 0 };
}

/**
 * Record the sums of `names` (now equal to `shas`) with their current stat (`stats`, taken after
 * the files were placed). Best effort: a user that cannot write /var/lib/sealts just re-hashes
 * next time. One exec: the cache is rewritten whole, so nothing is compared first.
 */
export async function saveSums(conn: RemoteShell, dest: string, shas: ReadonlyMap<string, string>, prior: Cache, stats: ReadonlyMap<string, string>, c: Call): Promise<void> {
  const next: Cache = { ...prior };
  for (const [n, sha256] of shas) {
    const st = stats.get(n);
    if (st === undefined) delete next[n];
    else next[n] = { stat: st, sha256 };
  }
  try {
    await conn.writeFile(sumCachePath(dest), `${JSON.stringify(next)}\n`, 0o600, { sudo: c.sudo, step: c.step });
  } catch {
    // not writable for this user: correctness does not depend on the cache
  }
}
