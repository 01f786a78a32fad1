// Uploads: the remote sha256 of the set decides what to skip (one call; files unchanged since the
// last upload are not even re-read, see remote-sums.ts); the rest is one tar-fs stream into
// `tar x` in a temp dir beside the destination, verified with sha256 on the host, then renamed into
// place file by file (rename(2) is atomic on one filesystem). An interrupted upload leaves only the
// temp dir, which the next upload to that directory removes.
import path from 'node:path';
import tarFs from 'tar-fs';
import { HostError } from '../errors/errors.js';
import { literal, sh } from '../shell/quote.js';
import { fastFs, listUploadFiles, localSha256, localSha256s } from './local-files.js';
import { nulList, parseSums, parseStats, remoteSums, saveSums, STAT_NAMES_ON_STDIN } from './remote-sums.js';
import type { UploadFile, UploadOptions, UploadResult, RemoteShell } from './types.js';

const TEMP_PREFIX = '.sealts-upload.';

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
    const dir = path.dirname(f.path);
    if (!groups.has(dir)) groups.set(dir, new Map());
    groups.get(dir)!.set(path.basename(f.path), f.name);
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

  const changedNames = changed.map((f) => f.name);
  // --concurrent-uploads bounds the data streams only: probing and placing files are small commands.
  const received = await conn.uploadSlots(() =>
    conn.exec(sh(['sh', '-c', RECEIVE, 'sh', dest, opensslSafe(changedNames) ? 'openssl' : 'sha256sum']), {
      sudo,
      stdin: packFiles(changed),
      quiet: true,
      step,
      display: `tar x ${changed.length} file(s) into a temp dir in ${dest}, sha256 them`,
    }),
  );
  const { tmp, sums: got } = parseReceived(received.stdout);
  const local = await localSumsByName(files, allSums);
  if (!tmp.includes(TEMP_PREFIX)) throw new HostError(conn.target.name, step, `unexpected temp dir ${JSON.stringify(tmp)}`);
  const bad = changed.filter((f) => got.get(f.name) !== local.get(f.name)).map((f) => f.name);
  if (bad.length > 0) {
    // Nothing of a damaged transfer stays on the host (best effort: the next upload also clears it).
    await conn.exec(sh(['rm', '-rf', tmp]), { sudo, check: false, quiet: true, step, display: `remove ${tmp}` }).catch(() => {});
    throw new HostError(conn.target.name, step, `sha256 mismatch after transfer: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`);
  }
  const placed = await conn.exec(sh(['sh', '-c', PLACE, 'sh', tmp, dest]), {
    sudo,
    stdin: nulList(changedNames),
    quiet: true,
    step,
    display: `move ${changed.length} file(s) into ${dest}`,
  });
  await saveSums(conn, dest, local, before.cache, new Map([...before.stats, ...parseStats(placed.stdout)]), { sudo, step });
  return { sent: changed.map((f) => f.name), skipped };
}
