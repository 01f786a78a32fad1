// Push an unpacked rootfs to /var/lib/sealts/rootfs on a host with the SSH engine's upload (files
// unchanged on the host are not sent) and make it match the manifest. Every file is replaced
// atomically; init.sh runs only after a push that completed.
import path from 'node:path';
import { HostError } from '../errors/errors.js';
import { and, literal, or, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../host/exec.js';
import { putFiles, type PutFile } from '../host/put-files.js';
import { ROOTFS_DIR } from '../host/facts.js';
import { UPLOAD_SUMS_DIR } from '../ssh/remote-sums.js';
import { filesFor, MANIFEST_FILE, type Manifest, type ManifestFile, type RootfsRole } from './manifest.js';
import type { LoadedRootfs } from './load.js';

export const REMOTE_ROOTFS = ROOTFS_DIR;
/** Where pushes before the SSH engine's upload unpacked a new image; still removed by clean. */
const STAGING = `${REMOTE_ROOTFS}.new`;

export type PushOutcome = 'pushed' | 'unchanged';

/** `sha256sum -c` input: "<hex>  <path>" per file. */
function checksumLines(files: readonly ManifestFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

/**
 * Read-only, one remote command: stdin is `sha256sum -c` input for the manifest's files; "$1" is
 * the rootfs dir. Prints three sections: sha256sum's failures and exit code, "<mode> <path>" of
 * every manifest file, every file present (upload temp dirs aside).
 */
const VERIFY = literal(
  [
    'cd -- "$1" || exit 1',
    'sums=$(mktemp)',
    'trap \'rm -f -- "$sums"\' EXIT',
    'cat > "$sums"',
    'echo "--- sha256"; rc=0; sha256sum --quiet -c "$sums" 2>&1 || rc=$?; echo "exit $rc"',
    'echo "--- modes"; cut -c 67- "$sums" | tr "\\n" "\\0" | xargs -0 -r stat -c "%a %n" -- 2>/dev/null',
    'echo "--- files"; find . -type f ! -path "./.sealts-upload.*" -printf "%P\\n"',
    'exit 0',
  ].join('\n'),
);

function section(out: string, name: string): string[] {
  const start = out.indexOf(`--- ${name}\n`);
  if (start < 0) return [];
  const body = out.slice(start + name.length + 5);
  const end = body.indexOf('\n--- ');
  return (end < 0 ? body : body.slice(0, end)).split('\n').filter(Boolean);
}

/**
 * Check every file of the manifest a host of `role` holds: content with `sha256sum -c`, permission
 * bits with `stat`, and no file it should not have. Returns the problems found (empty when intact).
 */
export async function verifyOnHost(h: HostExec, manifest: Manifest, role: RootfsRole = 'master', dir = REMOTE_ROOTFS): Promise<string[]> {
  const problems: string[] = [];
  const files = filesFor(manifest, role);
  if (files.length === 0) return problems;
  const r = await h.exec(sh(['sh', '-c', VERIFY, 'sh', dir]), { stdin: checksumLines(files) });
  if (r.code !== 0) return [`${dir}: cannot be read (exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''})`];
  const sums = section(r.stdout, 'sha256');
  const rc = sums.pop() ?? 'exit ?';
  if (rc !== 'exit 0') {
    // sha256sum prints "<path>: FAILED" or "<path>: FAILED open or read" per bad file.
    const bad = sums.filter((l) => /: FAILED/.test(l));
    problems.push(...(bad.length > 0 ? bad : [`sha256sum ${rc}: ${sums[0] ?? ''}`]));
  }
  const got = new Map(section(r.stdout, 'modes').map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))]));
  for (const f of files) {
    const mode = got.get(f.path);
    if (mode !== undefined && mode !== f.mode) problems.push(`${f.path}: mode ${mode}, manifest says ${f.mode}`);
  }
  // An extra file would still be used (init.sh installs everything in bin/): it is a problem too.
  const known = new Set([...files.map((f) => f.path), MANIFEST_FILE]);
  for (const p of section(r.stdout, 'files')) if (!known.has(p)) problems.push(`${p}: not in the manifest${manifest.files.some((f) => f.path === p) ? ` for a ${role}` : ''}`);
  return problems;
}

/**
 * After the upload: every manifest file gets its manifest mode, and files the manifest does not
 * list are removed (init.sh installs all of bin/, so a stray file would be used). stdin: the
 * manifest's paths, one per line; "$1": the rootfs dir; then "<mode> <path>" pairs as arguments.
 * Prints each removed path.
 */
const CONFORM = literal(
  [
    'set -e',
    'cd -- "$1"; shift',
    'while [ $# -gt 0 ]; do chmod "$1" -- "$2"; shift 2; done',
    'known=$(mktemp)',
    'trap \'rm -f -- "$known"\' EXIT',
    'cat > "$known"',
    'find . -type f ! -path "./.sealts-upload.*" -printf "%P\\n" | grep -vxF -f "$known" | while IFS= read -r f; do rm -f -- "$f"; printf "%s\\n" "$f"; done',
  ].join('\n'),
);

/**
 * Push through the SSH engine's upload the files a host of `role` needs (a node gets no
 * control-plane image, no etcd tool): each file streamed (never held in memory), sent only when its
 * sha256 differs from the host's copy, verified with sha256 on the host and renamed into place;
 * then modes and the file set are made to match, and the result is checked against the manifest
 * before anything uses it: a file that still differs stops the host (a HostError naming it). A host
 * whose role changes gets what it then lacks, and loses what it no longer runs.
 */
export async function pushRootfs(h: HostExec, rootfs: LoadedRootfs, role: RootfsRole = 'master'): Promise<PushOutcome> {
  const files = filesFor(rootfs.manifest, role);
  const upload = [...files.map((f) => f.path), MANIFEST_FILE].map((name) => ({ path: path.join(rootfs.dir, name), name }));
  const sent = await h.upload(upload, REMOTE_ROOTFS);
  const modes = files.flatMap((f) => [f.mode, f.path]);
  const known = [...files.map((f) => f.path), MANIFEST_FILE].map((p) => `${p}\n`).join('');
  const removed = (await execOk(h, 'push rootfs', sh(['sh', '-c', CONFORM, 'sh', REMOTE_ROOTFS, ...modes]), { stdin: known })).split('\n').filter(Boolean);
  const problems = await verifyOnHost(h, rootfs.manifest, role);
  if (problems.length > 0) throw new HostError(h.host, 'verify rootfs', `${problems.length} file(s) differ from the manifest: ${problems.join('; ')}`);
  return sent.sent.length > 0 || removed.length > 0 ? 'pushed' : 'unchanged';
}

/**
 * Re-verify the rootfs already on the host right before it is used (init.sh runs from it):
 * a file changed on the host since the push stops that host.
 */
export async function assertRootfsIntact(h: HostExec, manifest: Manifest, role: RootfsRole = 'master'): Promise<void> {
  const problems = await verifyOnHost(h, manifest, role);
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
