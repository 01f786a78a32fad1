// Push an unpacked rootfs to /var/lib/sealts/rootfs on a host with the SSH engine's upload (only
// files that differ are sent, compressed where the host unpacks the codec) and make it match the
// manifest. Every file is replaced atomically; init.sh runs only after a push that completed.
import path from 'node:path';
import { HostError } from '../errors/errors.js';
import { and, literal, or, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../host/exec.js';
import { putFiles, type PutFile } from '../host/put-files.js';
import { ROOTFS_DIR } from '../host/facts.js';
import { localSha256s } from '../ssh/local-files.js';
import { UPLOAD_SUMS_DIR } from '../ssh/remote-sums.js';
import type { UploadSource } from '../ssh/types.js';
import { checkOnHost, wantedFiles, type HostCheck, type WantedFile } from './host-check.js';
import { filesFor, MANIFEST_FILE, type Manifest, type RootfsRole } from './manifest.js';
import { encodedCopy, type Codec } from './payload.js';
import type { LoadedRootfs } from './load.js';

export const REMOTE_ROOTFS = ROOTFS_DIR;
/** Where pushes before the SSH engine's upload unpacked a new image; still removed by clean. */
const STAGING = `${REMOTE_ROOTFS}.new`;

export type PushOutcome = 'pushed' | 'unchanged';

export interface PushOptions {
  /** The compressed copies this host unpacks (its facts: payload.ts, codecFor); none: files as they are. */
  codec?: Codec;
  /**
   * A relay seed to fetch from first (relay.ts), asked only when something is to be sent: what it
   * does not deliver intact comes from this client. Undefined from it: the client sends all.
   */
  relay?: () => Promise<UploadSource | undefined>;
}

/** The role's files plus the manifest, with the local manifest file's sha256 (cached, like every local sum). */
async function wanted(rootfs: LoadedRootfs, role: RootfsRole): Promise<WantedFile[]> {
  const [sum] = await localSha256s([path.resolve(rootfs.dir, MANIFEST_FILE)]);
  return wantedFiles(filesFor(rootfs.manifest, role), sum!);
}

/** The check's problems, an extra file that another role has named as such. */
function problemsOf(c: HostCheck, manifest: Manifest, role: RootfsRole): string[] {
  const other = new Set(manifest.files.map((f) => f.path));
  return c.problems.map((p) => (c.extra.some((x) => p === `${x}: not in the manifest` && other.has(x)) ? `${p} for a ${role}` : p));
}

/**
 * Check every file of the manifest a host of `role` holds: content by sha256, permission bits, and
 * no file it should not have (host-check.ts). Returns the problems found (empty when intact).
 */
export async function verifyOnHost(h: HostExec, rootfs: LoadedRootfs, role: RootfsRole = 'master', dir = REMOTE_ROOTFS): Promise<string[]> {
  return problemsOf(await checkOnHost(h, await wanted(rootfs, role), dir), rootfs.manifest, role);
}

/**
 * chmod the files listed (stdin: "<mode> <path>" lines) and remove the extra ones (the arguments
 * after "$1", the rootfs dir): init.sh installs all of bin/, so a stray file would be used.
 */
const CONFORM = literal(
  [
    'set -e',
    'cd -- "$1"; shift',
    'while read -r m f; do chmod "$m" -- "$f"; done',
    'for f; do rm -f -- "$f"; done',
  ].join('\n'),
);

/**
 * Make the host's rootfs the manifest's files for `role`, and prove it before anything uses it.
 * First the check (one command when nothing changed: the outcome is then 'unchanged'). Files that
 * differ go through the SSH engine's upload (compressed copies where the host unpacks `codec`;
 * from a relay seed first when given), each verified by sha256 on the host before it is renamed
 * into place; wrong permission bits are set and files the role does not have are removed; then the
 * check runs again and a file that still differs stops the host (a HostError naming it). A host
 * whose role changes gets what it then lacks, and loses what it no longer runs.
 */
export async function pushRootfs(h: HostExec, rootfs: LoadedRootfs, role: RootfsRole = 'master', o: PushOptions = {}): Promise<PushOutcome> {
  const want = await wanted(rootfs, role);
  const before = await checkOnHost(h, want);
  if (before.problems.length === 0) return 'unchanged';
  if (before.differ.length > 0) {
    const byPath = new Map(rootfs.manifest.files.map((f) => [f.path, f]));
    const upload = before.differ.map((name) => {
      const f = byPath.get(name);
      const encoded = f && o.codec ? encodedCopy(rootfs.dir, f, o.codec) : undefined;
      return { path: path.join(rootfs.dir, name), name, ...(encoded ? { encoded } : {}) };
    });
    const source = await o.relay?.();
    await h.upload(upload, REMOTE_ROOTFS, source ? { source } : undefined);
  }
  const modes = before.modes.map(([m, f]) => `${m} ${f}\n`).join('');
  if (modes || before.extra.length > 0) await execOk(h, 'push rootfs', sh(['sh', '-c', CONFORM, 'sh', REMOTE_ROOTFS, ...before.extra]), { stdin: modes });
  const problems = problemsOf(await checkOnHost(h, want), rootfs.manifest, role);
  if (problems.length > 0) throw new HostError(h.host, 'verify rootfs', `${problems.length} file(s) differ from the manifest: ${problems.join('; ')}`);
  return 'pushed';
}

/**
 * Re-verify the rootfs already on the host right before it is used (init.sh runs from it):
 * a file changed on the host since the push stops that host.
 */
export async function assertRootfsIntact(h: HostExec, rootfs: LoadedRootfs, role: RootfsRole = 'master'): Promise<void> {
  const problems = await verifyOnHost(h, rootfs, role);
  if (problems.length > 0) {
    throw new HostError(h.host, 'verify rootfs', `${REMOTE_ROOTFS} was modified: ${problems.join('; ')}`);
  }
}

/**
 * Run the image's init.sh (binaries, container runtime, CNI plugins, kubelet unit, sysctls, the
 * role's images), with the files sealts rendered for this host (containerd's config ...) put first,
 * in the same remote command.
 */
export async function runInitScript(h: HostExec, role: 'master' | 'node' = 'master', inputs: readonly PutFile[] = []): Promise<void> {
  await putFiles(h, 'rootfs init.sh', inputs, sh(['sh', path.posix.join(REMOTE_ROOTFS, 'scripts', 'init.sh'), role]));
}

/** Run the image's clean.sh when it is there; then remove the rootfs itself. */
export async function runCleanScript(h: HostExec): Promise<void> {
  const clean = path.posix.join(REMOTE_ROOTFS, 'scripts', 'clean.sh');
  await execOk(h, 'rootfs clean.sh', or(sh(['test', '!', '-f', clean]), sh(['sh', clean])));
  await execOk(h, 'remove rootfs', and(sh(['rm', '-rf', REMOTE_ROOTFS, STAGING, UPLOAD_SUMS_DIR]), literal('{ rmdir /var/lib/sealts 2>/dev/null || true; }')));
}
