// A quick look at a rootfs image before any host is contacted: there, and shaped like an image.
// The full check (every file against its manifest's sha256) runs when the image is opened to push.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/errors.js';
import { isTarGz } from './archive.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { noManifestMessage } from './skeleton.js';

/** Why `image` is not a rootfs image, or undefined when it looks like one. */
export async function rootfsImageProblem(image: string): Promise<string | undefined> {
  const st = await stat(image).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) return st.code === 'ENOENT' ? `rootfs image ${image} not found` : `rootfs image ${image}: ${st.message}`;
  if (st.isDirectory()) {
    // No manifest: the skeleton (the repo's rootfs/) or some other directory, said as `rootfs inspect` says it.
    if (!(await stat(path.join(image, MANIFEST_FILE)).catch(() => undefined))) return noManifestMessage(image);
    try {
      await readManifest(image);
      return undefined;
    } catch (e) {
      if (e instanceof UserError) return `rootfs image ${image} is not a rootfs: ${e.message}`;
      throw e;
    }
  }
  if (!st.isFile() || !isTarGz(image)) return `rootfs image ${image}: expected a directory or a .tar.gz`;
  const head = Buffer.alloc(2);
  const fh = await open(image, 'r').catch((e: Error) => e);
  if (fh instanceof Error) return `rootfs image ${image}: ${fh.message}`;
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  // gzip's magic number: anything else is not an image whatever its name.
  return head[0] === 0x1f && head[1] === 0x8b ? undefined : `rootfs image ${image} is not gzip-compressed`;
}
