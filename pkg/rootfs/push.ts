// Push an unpacked rootfs to /var/lib/sealts/rootfs on a host and verify it there against the
// manifest. Unchanged images (same manifest bytes, files intact) are skipped. A new image is
// unpacked beside the old one, verified, and only then swapped in, so a failed push never leaves a
// half-written rootfs in use.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HostError } from '../errors/errors.js';
import { and, literal, or, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../runtime/exec.js';
import { tarBuffer } from './archive.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';
import type { LoadedRootfs } from './load.js';

export const REMOTE_ROOTFS = '/var/lib/sealts/rootfs';
const STAGING = `${REMOTE_ROOTFS}.new`;

export type PushOutcome = 'pushed' | 'unchanged';

/** `sha256sum -c` input: "<hex>  <path>" per file. */
function checksumLines(m: Manifest): string {
  return m.files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}

/**
 * Check every file of the manifest on the host: content with `sha256sum -c`, permission bits with
 * `stat`. Returns the problems found (empty when intact).
 */
export async function verifyOnHost(h: HostExec, manifest: Manifest, dir = REMOTE_ROOTFS): Promise<string[]> {
  const problems: string[] = [];
  if (manifest.files.length === 0) return problems;
  const sums = await h.exec(and(sh(['cd', dir]), sh(['sha256sum', '--quiet', '-c', '-'])), { stdin: checksumLines(manifest) });
  if (sums.code !== 0) {
    // sha256sum prints "<path>: FAILED" or "<path>: FAILED open or read" per bad file.
    const bad = sums.stdout.split('\n').filter((l) => /: FAILED/.test(l));
    problems.push(...(bad.length > 0 ? bad : [`sha256sum exit ${sums.code}: ${sums.stderr.trim().split('\n')[0]}`]));
  }
  const modes = await h.exec(and(sh(['cd', dir]), sh(['stat', '-c', '%a %n', '--', ...manifest.files.map((f) => f.path)])));
  const got = new Map(modes.stdout.split('\n').filter(Boolean).map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))]));
  for (const f of manifest.files) {
    const mode = got.get(f.path);
    if (mode !== undefined && mode !== f.mode) problems.push(`${f.path}: mode ${mode}, manifest says ${f.mode}`);
  }
  // An extra file would still be used (init.sh installs everything in bin/): it is a problem too.
  const listed = await h.exec(sh(['find', dir, '-type', 'f', '-printf', '%P\\n']));
  const known = new Set([...manifest.files.map((f) => f.path), MANIFEST_FILE]);
  for (const p of listed.stdout.split('\n').filter(Boolean)) if (!known.has(p)) problems.push(`${p}: not in the manifest`);
  return problems;
}

async function remoteManifestSha(h: HostExec): Promise<string | undefined> {
  const r = await h.exec(sh(['sha256sum', path.posix.join(REMOTE_ROOTFS, MANIFEST_FILE)]));
  return r.code === 0 ? r.stdout.split(' ')[0] : undefined;
}

/** Push (or skip) and verify; a mismatch after the push throws a HostError naming the file. */
export async function pushRootfs(h: HostExec, rootfs: LoadedRootfs): Promise<PushOutcome> {
  const localSha = createHash('sha256').update(await readFile(path.join(rootfs.dir, MANIFEST_FILE))).digest('hex');
  if ((await remoteManifestSha(h)) === localSha && (await verifyOnHost(h, rootfs.manifest)).length === 0) {
    return 'unchanged';
  }
  const tarball = await tarBuffer(rootfs.dir);
  await execOk(
    h,
    'push rootfs',
    and(sh(['rm', '-rf', STAGING]), sh(['mkdir', '-p', STAGING]), sh(['tar', '-x', '--no-same-owner', '-f', '-', '-C', STAGING])),
    { stdin: tarball },
  );
  const problems = await verifyOnHost(h, rootfs.manifest, STAGING);
  if (problems.length > 0) {
    await h.exec(sh(['rm', '-rf', STAGING]));
    throw new HostError(h.host, 'verify rootfs', `${problems.length} file(s) differ from the manifest: ${problems.join('; ')}`);
  }
  await execOk(h, 'install rootfs', and(sh(['rm', '-rf', REMOTE_ROOTFS]), sh(['mv', STAGING, REMOTE_ROOTFS])));
  return 'pushed';
}

/**
 * Re-verify the rootfs already on the host right before it is used (init.sh runs from it):
 * a file changed on the host since the push stops that host.
 */
export async function assertRootfsIntact(h: HostExec, manifest: Manifest): Promise<void> {
  const problems = await verifyOnHost(h, manifest);
  if (problems.length > 0) {
    throw new HostError(h.host, 'verify rootfs', `${REMOTE_ROOTFS} was modified: ${problems.join('; ')}`);
  }
}

/** Run the image's init.sh (install binaries, kubelet unit, sysctls, modules). */
export async function runInitScript(h: HostExec): Promise<void> {
  await execOk(h, 'rootfs init.sh', sh(['sh', path.posix.join(REMOTE_ROOTFS, 'scripts', 'init.sh')]));
}

/** Run the image's clean.sh when it is there; then remove the rootfs itself. */
export async function runCleanScript(h: HostExec): Promise<void> {
  const clean = path.posix.join(REMOTE_ROOTFS, 'scripts', 'clean.sh');
  await execOk(h, 'rootfs clean.sh', or(sh(['test', '!', '-f', clean]), sh(['sh', clean])));
  await execOk(h, 'remove rootfs', and(sh(['rm', '-rf', REMOTE_ROOTFS, STAGING]), literal('{ rmdir /var/lib/sealts 2>/dev/null || true; }')));
}
