// The rootfs check on a host: is what /var/lib/sealts/rootfs holds exactly the manifest's files for
// the host's role (content, permission bits, nothing else)? One command when nothing changed.
//
// Content is proven by sha256, taken on the host. A file's sum is computed when it arrives (the
// upload hashes every received file before it is moved into place) and again whenever its stat
// changes: the host keeps each sum with the file's inode, size and ctime to the nanosecond (the
// upload's sum cache, pkg/ssh/remote-sums.ts). Any write, chmod, rename or replacement changes
// the ctime, which no user can set back, so a file whose record still matches holds the bytes that
// were hashed, and is not read again. Only a file whose stat changed (or that has no record) is
// re-hashed, in a second command.
import { literal, sh } from '../shell/quote.js';
import type { HostExec } from '../host/exec.js';
import { ROOTFS_DIR } from '../host/facts.js';
import { cachedSums, nulList, parseSumCache, parseSums, REMOTE_SUMS, sumCachePath, type SumCache } from '../ssh/remote-sums.js';
import { MANIFEST_FILE, type ManifestFile } from './manifest.js';

/** A file the host must have: where, which sha256, which mode. */
export interface WantedFile {
  path: string;
  sha256: string;
  mode: string;
}

export interface HostCheck {
  /** Files missing, or whose content is not the manifest's (to be sent). */
  differ: string[];
  /** "<mode> <path>" of files with the right content and the wrong permission bits. */
  modes: Array<[mode: string, path: string]>;
  /** Files present that the manifest does not give this role (init.sh would use them). */
  extra: string[];
  /** Every problem in words, for errors ("<path>: FAILED", as sha256sum says it). */
  problems: string[];
}

/**
 * stdin: the wanted names, NUL-separated; "$1": the rootfs dir; "$2": the sum cache file. Prints the
 * cache, "\0\0", "<inode> <size> <ctime ns> <mode> <name>\0" per wanted name present, a
 * "--- files\0" record, then every file present ("<path>\0"), upload temp dirs aside.
 */
const CHECK = literal(
  [
    'cat -- "$2" 2>/dev/null; printf "\\0\\0"',
    'cd -- "$1" 2>/dev/null || exit 0',
    'xargs -0 -r stat --printf "%i %s %.9Z %a %n\\0" -- 2>/dev/null',
    'printf -- "--- files\\0"',
    'find . -type f ! -path "./.sealts-upload.*" -printf "%P\\0"',
    'exit 0',
  ].join('\n'),
);

/** Rewrite the sum cache "$1" from stdin (temp + rename: a reader never sees half of it). */
const SAVE = literal('umask 077; mkdir -p -- "${1%/*}" && cat > "$1.tmp" && mv -f -- "$1.tmp" "$1"');

function parseCheck(out: string): { cache: SumCache; stats: Map<string, { stat: string; mode: string }>; present: string[] } {
  const cut = out.indexOf('\0\0');
  const cache = parseSumCache(cut < 0 ? '' : out.slice(0, cut));
  const stats = new Map<string, { stat: string; mode: string }>();
  const present: string[] = [];
  let inFiles = false;
  for (const rec of (cut < 0 ? '' : out.slice(cut + 2)).split('\0')) {
    if (rec === '--- files') inFiles = true;
    else if (inFiles) rec && present.push(rec);
    else {
      const m = /^(\d+ \d+ \d+(?:\.\d+)?) ([0-7]+) (.*)$/s.exec(rec);
      if (m) stats.set(m[3]!, { stat: m[1]!, mode: m[2]! });
    }
  }
  return { cache, stats, present };
}

/** Check `want` (the role's files and the manifest itself) in `dir` on the host; see the header. */
export async function checkOnHost(h: HostExec, want: readonly WantedFile[], dir = ROOTFS_DIR): Promise<HostCheck> {
  const cacheFile = sumCachePath(dir);
  const r = await h.exec(sh(['sh', '-c', CHECK, 'sh', dir, cacheFile]), { stdin: nulList(want.map((w) => w.path)), quiet: true });
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n')[0] ?? '';
    return { differ: want.map((w) => w.path), modes: [], extra: [], problems: [`${dir}: cannot be read (exit ${r.code}${why ? `: ${why}` : ''})`] };
  }
  const { cache, stats, present } = parseCheck(r.stdout);
  const { sums, unknown } = cachedSums(cache, want.map((w) => w.path), (n) => stats.get(n)?.stat);
  if (unknown.length > 0) {
    const hashed = await h.exec(sh(['sh', '-c', REMOTE_SUMS, 'sh', dir]), { stdin: nulList(unknown), quiet: true });
    const got = parseSums(hashed.stdout);
    const next: SumCache = { ...cache };
    for (const n of unknown) {
      const s = got.get(n);
      if (s === undefined) continue;
      sums.set(n, s);
      next[n] = { stat: stats.get(n)!.stat, sha256: s };
    }
    // Best effort: a host where the cache cannot be written only hashes these again next time.
    await h.exec(sh(['sh', '-c', SAVE, 'sh', cacheFile]), { stdin: `${JSON.stringify(next)}\n`, quiet: true }).catch(() => undefined);
  }
  const out: HostCheck = { differ: [], modes: [], extra: [], problems: [] };
  for (const w of want) {
    const st = stats.get(w.path);
    if (!st) {
      out.differ.push(w.path);
      out.problems.push(`${w.path}: FAILED open or read`);
    } else if (sums.get(w.path) !== w.sha256) {
      out.differ.push(w.path);
      out.problems.push(`${w.path}: FAILED`);
    } else if (st.mode !== w.mode.replace(/^0+(?=\d)/, '')) {
      out.modes.push([w.mode, w.path]);
      out.problems.push(`${w.path}: mode ${st.mode}, manifest says ${w.mode}`);
    }
  }
  const known = new Set(want.map((w) => w.path));
  for (const p of present) {
    if (known.has(p)) continue;
    out.extra.push(p);
    out.problems.push(`${p}: not in the manifest`);
  }
  return out;
}

/** What a host of a role must hold: its files, and the manifest itself (facts read it). */
export function wantedFiles(files: readonly ManifestFile[], manifestSha256: string): WantedFile[] {
  return [...files.map((f) => ({ path: f.path, sha256: f.sha256, mode: f.mode })), { path: MANIFEST_FILE, sha256: manifestSha256, mode: '644' }];
}
