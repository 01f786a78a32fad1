// A tiny container image made by hand, so containers can run in a fleet host with no registry:
// busybox-static as /bin/busybox (+ /bin/sh), packed as an OCI image layout archive that
// `ctr images import` accepts.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-fs';

export const BUSYBOX_IMAGE = 'docker.io/sealts/busybox:test';

async function packDir(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = tar.pack(dir, {
    // Reproducible, root-owned entries whatever the machine's files look like.
    map: (h) => ({ ...h, uid: 0, gid: 0, mtime: new Date(0) }),
  });
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Builds the archive; returns it as bytes (about 2 MB). */
export async function busyboxOciArchive(ref = BUSYBOX_IMAGE, busybox = '/bin/busybox'): Promise<Buffer> {
  const work = await mkdtemp(path.join(tmpdir(), 'sealts-oci-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    await mkdir(path.join(rootfs, 'bin'), { recursive: true });
    await copyFile(busybox, path.join(rootfs, 'bin', 'busybox'));
    await symlink('busybox', path.join(rootfs, 'bin', 'sh'));
    const layer = await packDir(rootfs);
    const layerDigest = sha256(layer);

    const config = JSON.stringify({
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(config)}`, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layer.length }],
    });
    const tag = ref.slice(ref.lastIndexOf(':') + 1);
    const index = JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${sha256(manifest)}`,
        size: Buffer.byteLength(manifest),
        annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': tag },
      }],
    });

    const layout = path.join(work, 'layout');
    const blobs = path.join(layout, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    await writeFile(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(path.join(layout, 'index.json'), index);
    await writeFile(path.join(blobs, layerDigest), layer);
    await writeFile(path.join(blobs, sha256(config)), config);
    await writeFile(path.join(blobs, sha256(manifest)), manifest);
    return await packDir(layout);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
