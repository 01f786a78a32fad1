// A rootfs image travels as a directory or a .tar.gz; these move between the two with tar-fs + zlib.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-fs';

export function isTarGz(p: string): boolean {
  return p.endsWith('.tar.gz') || p.endsWith('.tgz');
}

export async function packTarGz(dir: string, out: string): Promise<void> {
  await pipeline(tar.pack(dir), createGzip(), createWriteStream(out, { mode: 0o644 }));
}

export async function unpackTarGz(file: string, dir: string): Promise<void> {
  await pipeline(createReadStream(file), createGunzip(), tar.extract(dir));
}

/** The directory as an uncompressed tar in memory, for streaming into a remote `tar -x`. */
export async function tarBuffer(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar.pack(dir)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
