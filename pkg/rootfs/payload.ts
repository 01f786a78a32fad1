// The compressed payload: `rootfs build` stores a zstd and a gzip copy of every file worth
// compressing under payload/<codec>/, once, so a push spends no CPU on compression and sends the
// compressed bytes. Which copy a host gets is a host fact (zstd on its PATH, else gzip); the host
// unpacks it and checks the sha256 of the unpacked file against the manifest before it is placed
// (pkg/ssh/upload.ts), as for a file sent as it is.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { localSha256s } from '../ssh/local-files.js';
import { payloadPath, type Manifest, type ManifestFile, type PackedCopy } from './manifest.js';

export type Codec = 'zstd' | 'gzip';
export const CODECS: readonly Codec[] = ['zstd', 'gzip'];
/** Smaller files travel as they are: compressing them saves less than it costs to unpack. */
export const PACK_MIN_BYTES = 16 * 1024;
/** A copy is kept only when it is at most this fraction of the file (image layers are gzip already). */
const WORTH = 0.9;
/** zstd -9: on the kubelet binary 4.1x smaller at ~90 MB/s on one core here; -15 gains 2 % for 8x the time. */
const ZSTD_LEVEL = 9;

/** The copy of `f` a host that unpacks `codec` gets, or undefined (the file travels as it is). */
export function encodedCopy(dir: string, f: ManifestFile, codec: Codec): { path: string; codec: Codec } | undefined {
  return f.packed?.[codec] ? { path: path.join(dir, payloadPath(codec, f.path)), codec } : undefined;
}

/** zstd when the host has it (smaller, and several times faster to unpack), else gzip, which every host has. */
export function codecFor(facts: { zstd: boolean }): Codec {
  return facts.zstd ? 'zstd' : 'gzip';
}

async function hasLocalZstd(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('zstd', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

async function zstdFile(src: string, out: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn('zstd', ['-q', `-${ZSTD_LEVEL}`, '-T0', '-f', '-o', out, '--', src], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`zstd ${src}: exit ${code}: ${err.trim()}`))));
  });
}

async function gzipFile(src: string, out: string): Promise<void> {
  await pipeline(createReadStream(src), createGzip({ level: 6 }), createWriteStream(out));
}

/**
 * Write the compressed copies of `manifest`'s files under `stage`/payload and record them in the
 * manifest (size and sha256 of each kept copy). Returns a note when this machine has no zstd (the
 * image then carries gzip copies only, which every host unpacks).
 */
export async function packPayload(stage: string, manifest: Manifest): Promise<string[]> {
  const zstd = await hasLocalZstd();
  const codecs = CODECS.filter((c) => c !== 'zstd' || zstd);
  for (const f of manifest.files) {
    if (f.size < PACK_MIN_BYTES) continue;
    const src = path.join(stage, f.path);
    const kept: Partial<Record<Codec, PackedCopy>> = {};
    await Promise.all(codecs.map(async (codec) => {
      const out = path.join(stage, payloadPath(codec, f.path));
      await mkdir(path.dirname(out), { recursive: true });
      await (codec === 'zstd' ? zstdFile(src, out) : gzipFile(src, out));
      const size = (await stat(out)).size;
      if (size > f.size * WORTH) return rm(out);
      kept[codec] = { size, sha256: (await localSha256s([path.resolve(out)]))[0]! };
    }));
    if (Object.keys(kept).length > 0) f.packed = kept;
  }
  return zstd ? [] : ['zstd is not installed on this machine: the image carries gzip copies only (hosts with zstd unpack those too)'];
}

/** What a host of a role receives, in bytes, with the copies a codec picks (for plan and inspect). */
export function transferBytes(files: readonly ManifestFile[], codec: Codec): number {
  return files.reduce((n, f) => n + (f.packed?.[codec]?.size ?? f.size), 0);
}
