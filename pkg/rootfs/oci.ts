// OCI image-layout archives made without a registry or a container engine: one gzip layer holding the
// given files (static binaries, or a binary with its shared libraries), a config with entrypoint and
// PATH, and an index whose annotation names the image, so `ctr images import` stores it under exactly
// the reference kubeadm and the kubelet ask for.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

export type LayerEntry =
  /** A regular file copied from `source` on this machine (links followed). */
  | { path: string; source: string; mode?: number }
  /** A symbolic link inside the image. */
  | { path: string; symlink: string }
  | { path: string; dir: true };

export interface ImageSpec {
  /** e.g. registry.k8s.io/kube-apiserver:v1.36.3 */
  ref: string;
  arch: string;
  entries: LayerEntry[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every parent directory of the entries, so the layer is a well-formed tree. */
function withParents(entries: LayerEntry[]): LayerEntry[] {
  const dirs = new Set<string>();
  for (const e of entries) {
    let d = path.posix.dirname(e.path.replace(/^\/+/, ''));
    while (d !== '.' && d !== '') {
      dirs.add(d);
      d = path.posix.dirname(d);
    }
  }
  const explicit = entries.filter((e) => 'dir' in e).map((e) => e.path.replace(/^\/+/, ''));
  for (const d of explicit) dirs.delete(d);
  return [...[...dirs].sort().map((d): LayerEntry => ({ path: d, dir: true })), ...entries];
}

/** The layer as an uncompressed tar (root-owned, mtime 0: the same inputs give the same digest). */
async function layerTar(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tarPack();
  const done = collect(pack);
  const common = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(0) };
  for (const e of withParents(entries)) {
    const name = e.path.replace(/^\/+/, '');
    if ('dir' in e) {
      pack.entry({ ...common, name: `${name}/`, type: 'directory', mode: name === 'tmp' ? 0o1777 : 0o755 });
    } else if ('symlink' in e) {
      pack.entry({ ...common, name, type: 'symlink', linkname: e.symlink, mode: 0o777 });
    } else {
      const { size } = await stat(e.source);
      const entry = pack.entry({ ...common, name, type: 'file', size, mode: e.mode ?? 0o755 });
      await pipeline(createReadStream(e.source), entry);
    }
  }
  pack.finalize();
  return done;
}

async function gzip(b: Buffer): Promise<Buffer> {
  const z = createGzip({ level: 6 });
  const out = collect(z);
  z.end(b);
  return out;
}

/** The image's OCI layout archive, and its manifest digest. */
export async function ociArchive(spec: ImageSpec): Promise<{ archive: Buffer; digest: string }> {
  const raw = await layerTar(spec.entries);
  const layer = await gzip(raw);
  const config = JSON.stringify({
    architecture: spec.arch,
    os: 'linux',
    config: {
      Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(raw)}`] },
  });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(config)}`, size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha256(layer)}`, size: layer.length }],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${sha256(manifest)}`,
        size: Buffer.byteLength(manifest),
        annotations: { 'io.containerd.image.name': spec.ref, 'org.opencontainers.image.ref.name': spec.ref.slice(spec.ref.lastIndexOf(':') + 1) },
      },
    ],
  });
  const pack = tarPack();
  const out = collect(pack);
  const put = (name: string, body: Buffer | string) => pack.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, body);
  put('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  put('index.json', index);
  put(`blobs/sha256/${sha256(config)}`, config);
  put(`blobs/sha256/${sha256(manifest)}`, manifest);
  put(`blobs/sha256/${sha256(layer)}`, layer);
  pack.finalize();
  return { archive: await out, digest: `sha256:${sha256(manifest)}` };
}

/** Writes the image's OCI layout archive to `file`; returns its manifest digest. */
export async function writeOciArchive(spec: ImageSpec, file: string): Promise<string> {
  const { archive, digest } = await ociArchive(spec);
  await writeFile(file, archive, { mode: 0o644 });
  return digest;
}
