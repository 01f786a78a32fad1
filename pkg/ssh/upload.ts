// Uploads: the remote sha256 of the set decides what to skip (one call; files unchanged since the
// last upload are not even re-read, see remote-sums.ts); the rest is one tar-fs stream into
// `tar x` in a temp dir beside the destination, verified with sha256 on the host, then renamed into
// place file by file (rename(2) is atomic on one filesystem). An interrupted upload leaves only the
// temp dir, which the next upload to that directory removes.
import path from 'node:path';
import tarFs from 'tar-fs';
import { HostError } from '../errors/errors.js';
import { literal, sh } from '../shell/quote.js';
import type { Connection } from './connection.js';
import { fastFs, listUploadFiles, localSha256s } from './local-files.js';
import { nulList, parseSums, REMOTE_SUMS, remoteSums, saveSums } from './remote-sums.js';
import type { UploadFile, UploadOptions, UploadResult } from './types.js';

const TEMP_PREFIX = '.sealts-upload.';

/** Create "$1", remove temp dirs of interrupted uploads, print a fresh temp dir. */
const MAKE_TEMP = literal('set -e; mkdir -p -- "$1"; rm -rf -- "$1"/.sealts-upload.*; mktemp -d -- "$1/.sealts-upload.XXXXXX"');

/** Move every name (args after "$1"=temp, "$2"=dest) from temp into dest, making parent dirs. */
const MOVE_INTO_PLACE = literal(
  'set -e; t=$1; d=$2; shift 2; for f; do case $f in */*) mkdir -p -- "$d/${f%/*}";; esac; mv -f -- "$t/$f" "$d/$f"; done',
);
/** NUL-separated names on stdin -> MOVE_INTO_PLACE ("$3"), then drop the temp dir. */
const MOVE_ALL = literal('set -e; xargs -0 -r sh -c "$3" sh "$1" "$2"; rm -rf -- "$1"');

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

export async function uploadFiles(
  conn: Connection,
  src: string | readonly UploadFile[],
  dest: string,
  opts: UploadOptions,
): Promise<UploadResult> {
  const step = opts.step ?? `upload to ${dest}`;
  const sudo = opts.sudo;
  const files = await listUploadFiles(src);
  const sums = await localSha256s(files.map((f) => f.path));
  const local = new Map(files.map((f, i) => [f.name, sums[i]!] as const));

  const names = files.map((f) => f.name);
  const before = await remoteSums(conn, dest, names, { sudo, step });
  const remote = before.sums;
  const changed = files.filter((f) => remote.get(f.name) !== local.get(f.name));
  const skipped = names.filter((n) => remote.get(n) === local.get(n));
  if (changed.length === 0) {
    if (before.stale) await saveSums(conn, dest, local, before.cache, { sudo, step });
    return { sent: [], skipped };
  }

  const tmp = (await conn.exec(sh(['sh', '-c', MAKE_TEMP, 'sh', dest]), { sudo, quiet: true, step, display: `make temp dir in ${dest}` })).stdout.trim();
  if (!tmp.includes(TEMP_PREFIX)) throw new HostError(conn.target.name, step, `unexpected temp dir ${JSON.stringify(tmp)}`);

  const pack = packFiles(changed);
  await conn.exec(sh(['tar', '-x', '-p', '--no-same-owner', '-f', '-', '-C', tmp]), {
    sudo,
    stdin: pack,
    step,
    display: `tar x ${changed.length} file(s) into ${tmp}`,
  });

  const got = parseSums(
    (await conn.exec(sh(['sh', '-c', REMOTE_SUMS, 'sh', tmp]), { sudo, stdin: nulList(changed.map((f) => f.name)), quiet: true, step, display: `verify sha256 in ${tmp}` })).stdout,
  );
  const bad = changed.filter((f) => got.get(f.name) !== local.get(f.name)).map((f) => f.name);
  if (bad.length > 0) {
    throw new HostError(conn.target.name, step, `sha256 mismatch after transfer: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`);
  }
  await conn.exec(sh(['sh', '-c', MOVE_ALL, 'sh', tmp, dest, MOVE_INTO_PLACE]), {
    sudo,
    stdin: nulList(changed.map((f) => f.name)),
    quiet: true,
    step,
    display: `move ${changed.length} file(s) into ${dest}`,
  });
  await saveSums(conn, dest, local, before.cache, { sudo, step });
  return { sent: changed.map((f) => f.name), skipped };
}
