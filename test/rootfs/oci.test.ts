// The OCI archives sealts makes for its images: what `ctr images import` reads must be consistent
// (every digest the content's sha256, the layer's diff_id its uncompressed sha256) and name the image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { writeOciArchive } from '../../pkg/rootfs/oci.js';

async function untar(buf: Buffer): Promise<Map<string, { body: Buffer; mode: number; type: string; linkname?: string | null }>> {
  const out = new Map<string, { body: Buffer; mode: number; type: string; linkname?: string | null }>();
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.set(h.name, { body: Buffer.concat(chunks), mode: h.mode ?? 0, type: h.type ?? 'file', linkname: h.linkname });
        next();
      });
    });
    x.on('finish', resolve);
    x.on('error', reject);
  });
  x.end(buf);
  await done;
  return out;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('an image archive: index names the image, digests hold, the layer has the files', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-oci-'));
  try {
    const bin = path.join(dir, 'tool');
    await writeFile(bin, 'static binary stand-in\n', { mode: 0o755 });
    const file = path.join(dir, 'img.tar');
    const digest = await writeOciArchive(
      { ref: 'registry.k8s.io/kube-apiserver:v1.36.3', arch: 'amd64', entries: [{ path: '/usr/local/bin/kube-apiserver', source: bin }, { path: '/usr/sbin/iptables', symlink: 'xtables-nft-multi' }, { path: '/tmp', dir: true }], entrypoint: ['/usr/local/bin/kube-apiserver'] },
      file,
    );
    const outer = await untar(await readFile(file));
    const index = JSON.parse(outer.get('index.json')!.body.toString());
    assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'registry.k8s.io/kube-apiserver:v1.36.3');
    assert.equal(index.manifests[0].digest, digest);
    for (const [name, e] of outer) if (name.startsWith('blobs/sha256/')) assert.equal(sha(e.body), name.slice(13), `${name} is its sha256`);
    const manifest = JSON.parse(outer.get(`blobs/sha256/${digest.slice(7)}`)!.body.toString());
    const config = JSON.parse(outer.get(`blobs/sha256/${manifest.config.digest.slice(7)}`)!.body.toString());
    assert.deepEqual(config.config.Entrypoint, ['/usr/local/bin/kube-apiserver']);
    const gz = outer.get(`blobs/sha256/${manifest.layers[0].digest.slice(7)}`)!.body;
    const raw = gunzipSync(gz);
    assert.equal(config.rootfs.diff_ids[0], `sha256:${sha(raw)}`);
    const layer = await untar(raw);
    assert.equal(layer.get('usr/local/bin/kube-apiserver')!.body.toString(), 'static binary stand-in\n');
    assert.equal(layer.get('usr/local/bin/kube-apiserver')!.mode, 0o755);
    assert.equal(layer.get('usr/sbin/iptables')!.linkname, 'xtables-nft-multi');
    assert.ok(layer.has('usr/local/bin/'), 'parent directories are in the layer');
    assert.equal(layer.get('tmp/')!.mode, 0o1777);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
