// Uploads: the remote sha256 of the set decides what to skip (one call; files unchanged since the
// last upload are not even re-read, see remote-sums.ts); the rest is one tar-fs stream into
// `tar x` in a temp dir beside the destination (a file with a compressed copy travels compressed
// and is unpacked there), verified with sha256 on the host, then renamed into place file by file
// (rename(2) is atomic on one filesystem). With a source (the rootfs relay) the host first fetches
// what it can from there into such a temp dir, checked and placed the same way; only what that did
// not deliver intact comes from this client. An interrupted upload leaves only the temp dir, which
// the next upload to that directory removes.
import path from 'node:path';
import tarFs from 'tar-fs';
import { HostError } from '../errors/errors.js';
import { literal, sh } from '../shell/quote.js';
import { fastFs, listUploadFiles, localSha256, localSha256s } from './local-files.js';
import { nulList, parseSums, parseStats, remoteSums, saveSums, STAT_NAMES_ON_STDIN } from './remote-sums.js';
import type { UploadFile, UploadOptions, UploadResult, UploadSource, RemoteShell } from './types.js';

const TEMP_PREFIX = '.sealts-upload.';

/** Where a compressed entry travels inside the tar, by codec: unpacked to its name on the host. */
const encodedDir = (codec: string) => `.sealts-${codec}`;

/**
 * Unpack the compressed entries of the temp dir "$t" (under .sealts-zstd/ and .sealts-gzip/) to
 * their names, with the mode tar gave the compressed copy, and drop the copies. `set -e`: a copy
 * that does not unpack fails the receive, naming the tool's error.
 */
const DECODE = [
  'for c in zstd gzip; do',
  '  [ -d "$t/.sealts-$c" ] || continue',
  '  find "$t/.sealts-$c" -type f -exec sh -c \'set -e; c=$1; t=$2; shift 2; for f; do n=${f#"$t/.sealts-$c/"}; mkdir -p -- "$t/$(dirname -- "$n")"; if [ "$c" = zstd ]; then zstd -d -q -f -o "$t/$n" -- "$f"; else gzip -dc -- "$f" > "$t/$n"; fi; chmod "$(stat -c %a -- "$f")" -- "$t/$n"; rm -f -- "$f"; done\' sh "$c" "$t" {} +',
  '  rm -rf -- "$t/.sealts-$c"',
  'done',
];

/**
 * The receiving end, one exec: create "$1", drop temp dirs of interrupted uploads, make a fresh
 * temp dir (printed first, NUL-terminated), unpack stdin into it and print the sha256 of every file
 * it holds. "$2" picks the hash tool: OpenSSL's sha256 is about 3x coreutils' on the same CPU, but
 * its one-line-per-file output only suits names without newlines or backslashes.
 */
const RECEIVE = literal(
  [
    'set -e',
    'mkdir -p -- "$1"',
    'rm -rf -- "$1"/.sealts-upload.*',
    't=$(mktemp -d -- "$1/.sealts-upload.XXXXXX")',
    'printf "%s\\0" "$t"',
    'tar -x -p --no-same-owner -f - -C "$t"',
    ...DECODE,
    'cd -- "$t"',
    'if [ "$2" = openssl ] && command -v openssl >/dev/null 2>&1; then',
    '  printf "openssl\\0"; find . -type f -print0 | xargs -0 -r openssl dgst -sha256 -r --',
    'else',
    '  printf "sha256sum\\0"; find . -type f -print0 | xargs -0 -r sha256sum -z --',
    'fi',
  ].join('\n'),
);

/**
 * Move every name (NUL-separated on stdin) from the temp dir "$1" into "$2", making parent dirs
 * (rename(2): each file appears whole or not at all), drop the temp dir, then print the stat
 * records of the placed files for the host's sum cache (remote-sums.ts).
 */
const PLACE = literal(
  [
    'set -e',
    't=$1; d=$2',
    'names=$(mktemp)',
    'trap \'rm -f -- "$names"\' EXIT',
    'cat > "$names"',
    // Each batch of names: one sh; parents made once per directory, one mv per file.
    'xargs -0 -r sh -c \'t=$1; d=$2; shift 2; last=; for f; do case $f in */*) p=${f%/*}; [ "$p" = "$last" ] || mkdir -p -- "$d/$p"; last=$p;; esac; mv -f -- "$t/$f" "$d/$f"; done\' sh "$t" "$d" < "$names"',
    'rm -rf -- "$t"',
    'cd -- "$d"',
    STAT_NAMES_ON_STDIN + ' < "$names"',
  ].join('\n'),
);

/** Names the `openssl dgst -r` output can carry unambiguously. */
function opensslSafe(names: readonly string[]): boolean {
  return names.every((n) => !/[\n\r\\]/.test(n));
}

/** Split RECEIVE's output into the temp dir and the sums of what it unpacked (names without "./"). */
function parseReceived(out: string): { tmp: string; sums: Map<string, string> } {
  const [tmp = '', tool = '', ...rest] = out.split('\0');
  const body = rest.join('\0');
  const raw = tool === 'openssl' ? parseOpensslSums(body) : parseSums(body);
  const sums = new Map<string, string>();
  for (const [n, s] of raw) sums.set(n.replace(/^\.\//, ''), s);
  return { tmp, sums };
}

function parseOpensslSums(out: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{64}) \*(.*)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

/**
 * One tar stream of the files under their upload names. tar-fs packs one directory per call, so the
 * files are grouped by local directory and each group is appended to the same pack in turn.
 */
function packFiles(files: readonly UploadFile[]): AsyncIterable<Uint8Array> {
  const groups = new Map<string, Map<string, string>>();
  for (const f of files) {
    // A compressed copy travels under the codec's folder, which the receiver unpacks (DECODE).
    const [src, name] = f.encoded ? [f.encoded.path, `${encodedDir(f.encoded.codec)}/${f.name}`] : [f.path, f.name];
    const dir = path.dirname(src);
    if (!groups.has(dir)) groups.set(dir, new Map());
    groups.get(dir)!.set(path.basename(src), name);
  }
  const order = [...groups.entries()];
  let pack: tarFs.Pack | undefined;
  const packGroup = (i: number): tarFs.Pack => {
    const [dir, names] = order[i]!;
    const last = i === order.length - 1;
    const options = {
      entries: [...names.keys()],
      dereference: true,
      umask: 0,
      fs: fastFs,
      pack,
      finalize: last,
      finish: last ? undefined : () => packGroup(i + 1),
      map: (header: tarFs.Headers) => {
        header.name = names.get(header.name) ?? header.name;
        header.uid = 0;
        header.gid = 0;
        return header;
      },
    };
    // @types/tar-fs describes v2; tar-fs 3 also takes umask/pack/finalize/finish.
    const p = tarFs.pack(dir, options as unknown as tarFs.PackOptions);
    pack ??= p;
    return p;
  };
  // tar-fs 3 returns a streamx stream, which is async-iterable.
  return packGroup(0) as unknown as AsyncIterable<Uint8Array>;
}

async function localSumsByName(files: readonly UploadFile[], sums: Promise<string[]>): Promise<Map<string, string>> {
  const list = await sums;
  return new Map(files.map((f, i) => [f.name, list[i]!] as const));
}

export async function uploadFiles(
  conn: RemoteShell,
  src: string | readonly UploadFile[],
  dest: string,
  opts: UploadOptions,
): Promise<UploadResult> {
  const step = opts.step ?? `upload to ${dest}`;
  const sudo = opts.sudo;
  const files = await listUploadFiles(src);
  // Local hashing runs while the host is asked what it has and while the data streams: a file the
  // host lacks is sent whatever its sum, so only files present on both sides wait for theirs.
  const allSums = localSha256s(files.map((f) => f.path));
  allSums.catch(() => {}); // awaited below; a failure must not surface as unhandled first
  const names = files.map((f) => f.name);
  const before = await remoteSums(conn, dest, names, { sudo, step });
  const remote = before.sums;
  const onBoth = files.filter((f) => remote.has(f.name));
  const onBothSums = new Map(await Promise.all(onBoth.map(async (f) => [f.name, await localSha256(f.path)] as const)));
  const changed = files.filter((f) => !remote.has(f.name) || remote.get(f.name) !== onBothSums.get(f.name));
  const skipped = names.filter((n) => remote.has(n) && remote.get(n) === onBothSums.get(n));
  if (changed.length === 0) {
    const local = await localSumsByName(files, allSums);
    if (before.stale) await saveSums(conn, dest, local, before.cache, before.stats, { sudo, step });
    return { sent: [], skipped };
  }

  // Awaited only once the host has hashed what it received: the local hashing overlaps the transfer.
  const local = localSumsByName(files, allSums);
  local.catch(() => {});
  const placedStats = new Map(before.stats);
  const call = { sudo, step };
  let rest = changed;
  if (opts.source) {
    const fetched = new Set(await fetchFromSource(conn, opts.source, dest, changed, local, placedStats, call));
    rest = changed.filter((f) => !fetched.has(f.name));
  }
  if (rest.length > 0) await sendFromClient(conn, dest, rest, local, placedStats, call);
  await saveSums(conn, dest, await local, before.cache, placedStats, call);
  return { sent: changed.map((f) => f.name), skipped };
}

interface Call {
  sudo?: boolean;
  step: string;
}

/** This client's tar stream into RECEIVE; every file must arrive intact or the upload fails. */
async function sendFromClient(conn: RemoteShell, dest: string, files: readonly UploadFile[], localSums: Promise<ReadonlyMap<string, string>>, stats: Map<string, string>, c: Call): Promise<void> {
  const names = files.map((f) => f.name);
  // --concurrent-uploads bounds the data streams only: probing and placing files are small commands.
  const received = await conn.uploadSlots(() =>
    conn.exec(sh(['sh', '-c', RECEIVE, 'sh', dest, opensslSafe(names) ? 'openssl' : 'sha256sum']), {
      sudo: c.sudo,
      stdin: packFiles(files),
      quiet: true,
      step: c.step,
      display: `tar x ${files.length} file(s) into a temp dir in ${dest}, sha256 them`,
    }),
  );
  const { tmp, sums: got } = parseReceived(received.stdout);
  const local = await localSums;
  if (!tmp.includes(TEMP_PREFIX)) throw new HostError(conn.target.name, c.step, `unexpected temp dir ${JSON.stringify(tmp)}`);
  const bad = names.filter((n) => got.get(n) !== local.get(n));
  if (bad.length > 0) {
    // Nothing of a damaged transfer stays on the host (best effort: the next upload also clears it).
    await removeTemp(conn, tmp, c);
    throw new HostError(conn.target.name, c.step, `sha256 mismatch after transfer: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`);
  }
  await place(conn, tmp, dest, names, stats, c);
}

/**
 * The host fetches `files` from the source into a temp dir and hashes them; those whose sha256 is
 * this client's are placed. Returns their names. A fetch that fails, or a file that arrives
 * different, costs nothing but the detour: what is missing is sent by the client next.
 */
async function fetchFromSource(conn: RemoteShell, source: UploadSource, dest: string, files: readonly UploadFile[], localSums: Promise<ReadonlyMap<string, string>>, stats: Map<string, string>, c: Call): Promise<string[]> {
  const names = files.map((f) => f.name);
  const r = await conn.exec(source.command(dest), {
    sudo: c.sudo,
    stdin: source.stdin(names),
    check: false,
    quiet: true,
    step: c.step,
    display: `fetch ${files.length} file(s) from ${source.name} into a temp dir in ${dest}, sha256 them`,
  });
  const { tmp, sums: got } = parseReceived(r.stdout);
  const local = await localSums;
  if (!tmp.includes(TEMP_PREFIX)) return [];
  const good = names.filter((n) => got.get(n) === local.get(n));
  if (good.length === 0) {
    await removeTemp(conn, tmp, c);
    return [];
  }
  await place(conn, tmp, dest, good, stats, c);
  return good;
}

async function removeTemp(conn: RemoteShell, tmp: string, c: Call): Promise<void> {
  await conn.exec(sh(['rm', '-rf', tmp]), { sudo: c.sudo, check: false, quiet: true, step: c.step, display: `remove ${tmp}` }).catch(() => {});
}

/** PLACE `names` from the temp dir (which goes with whatever else it holds); their new stats into `stats`. */
async function place(conn: RemoteShell, tmp: string, dest: string, names: readonly string[], stats: Map<string, string>, c: Call): Promise<void> {
  const placed = await conn.exec(sh(['sh', '-c', PLACE, 'sh', tmp, dest]), {
    sudo: c.sudo,
    stdin: nulList(names),
    quiet: true,
    step: c.step,
    display: `move ${names.length} file(s) into ${dest}`,
  });
  for (const [n, st] of parseStats(placed.stdout)) stats.set(n, st);
}
