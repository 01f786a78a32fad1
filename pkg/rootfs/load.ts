// loadRootfs: open a rootfs image (directory or .tar.gz) and prove it matches its manifest before
// anything is pushed from it.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { isTarGz, unpackTarGz } from './archive.js';
import { readManifest, verifyDir, type Manifest } from './manifest.js';

export interface LoadedRootfs {
  /** The image as given. */
  source: string;
  /** A directory holding the unpacked image. */
  dir: string;
  manifest: Manifest;
  /** Removes the temporary unpack directory (no-op for a directory image). */
  close(): Promise<void>;
}

export async function loadRootfs(image: string): Promise<LoadedRootfs> {
  const st = await stat(image).catch(() => undefined);
  if (!st) throw new UserError(`${image}: rootfs image not found`);
  let dir = image;
  let temp: string | undefined;
  if (st.isFile()) {
    if (!isTarGz(image)) throw new UserError(`${image}: a rootfs image is a directory or a .tar.gz`);
    temp = await mkdtemp(path.join(os.tmpdir(), 'sealts-rootfs-'));
    dir = temp;
    try {
      await unpackTarGz(image, dir);
    } catch (e) {
      await rm(temp, { recursive: true, force: true });
      throw new UserError(`${image}: cannot unpack: ${(e as Error).message}`);
    }
  } else if (!st.isDirectory()) {
    throw new UserError(`${image}: a rootfs image is a directory or a .tar.gz`);
  }
  const close = async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  };
  try {
    const manifest = await readManifest(dir);
    const problems = await verifyDir(dir, manifest);
    if (problems.length > 0) {
      throw new UserError(`${image}: does not match its manifest (${problems.length} problem(s)): ${problems[0]}`, problems);
    }
    return { source: image, dir, manifest, close };
  } catch (e) {
    await close();
    throw e;
  }
}
