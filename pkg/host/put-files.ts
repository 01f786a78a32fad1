// Several small files (configs, certificates, unit files) onto a host in ONE remote command: they
// travel as a tar on stdin, each lands as "<path>.sealts-tmp" beside its destination and replaces it
// with rename(2) only when its content differs; the mode is set either way. One round trip and one
// sshd session instead of one per file: on a fleet of 40 nodes sharing two cores that is most of
// what a join costs.
import path from 'node:path';
import { pack } from 'tar-stream';
import { and, literal, sh, type ShellCommand } from '../shell/quote.js';
import { execOk, type HostExec } from './exec.js';

export interface PutFile {
  /** Absolute destination path. */
  path: string;
  content: string | Buffer;
  /** Octal mode, e.g. 0o644. */
  mode: number;
}

export const TEMP_SUFFIX = '.sealts-tmp';

/** Unpack stdin at /, then move each "$@".sealts-tmp over "$@" when it differs; print the changed. */
const PLACE_CHANGED = literal(
  [
    'set -e',
    'tar -x -p -m --no-same-owner -f - -C /',
    'for f; do',
    '  t=$f.sealts-tmp',
    '  if [ -f "$f" ] && cmp -s "$t" "$f"; then chmod --reference="$t" -- "$f"; rm -f -- "$t"',
    '  else mv -f -- "$t" "$f"; printf "%s\\n" "$f"; fi',
    'done',
  ].join('\n'),
);

function checkPath(p: string): void {
  if (!path.posix.isAbsolute(p) || path.posix.normalize(p) !== p || p.endsWith('/')) {
    throw new Error(`putFiles: destination must be a normalized absolute path, got ${JSON.stringify(p)}`);
  }
}

/** The files as a tar (in memory: they are small), each under "<path>.sealts-tmp" relative to /. */
export async function tarOfFiles(files: readonly PutFile[]): Promise<Buffer> {
  const p = pack();
  for (const f of files) {
    checkPath(f.path);
    p.entry({ name: `${f.path.slice(1)}${TEMP_SUFFIX}`, mode: f.mode & 0o7777, uid: 0, gid: 0, mtime: new Date(0) }, Buffer.from(f.content));
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The command that places the files (stdin: tarOfFiles of the same list). */
export function putFilesCommand(files: readonly PutFile[]): ShellCommand {
  return sh(['sh', '-c', PLACE_CHANGED, 'sh', ...files.map((f) => f.path)]);
}

/**
 * Put every file in place (parents created); `then` runs after them in the same remote command.
 * Returns the paths whose content changed.
 */
export async function putFiles(h: HostExec, step: string, files: readonly PutFile[], then?: ShellCommand): Promise<string[]> {
  if (files.length === 0 && !then) return [];
  const place = files.length > 0 ? putFilesCommand(files) : undefined;
  const cmd = place && then ? and(place, then) : (place ?? then!);
  const out = await execOk(h, step, cmd, files.length > 0 ? { stdin: await tarOfFiles(files) } : undefined);
  const wanted = new Set(files.map((f) => f.path));
  return out.split('\n').filter((l) => wanted.has(l));
}
