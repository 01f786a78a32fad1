// Key algorithm and Kubernetes version variants, checked by openssl.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ensurePki, filesForMaster, filesForNode, KeyPool, keysNeeded } from '../../pkg/pki/index.js';
import { certText, hostsOf, kubectl, openssl, tempDir, testCluster } from './helpers.js';

const M = ['198.18.32.11'];
const N = ['198.18.32.21'];

describe('pki variants', () => {
  test('ECDSA-P256: SEC1 keys, ecdsa-with-SHA256, the key usages kubeadm sets, all verify', async () => {
    const { path: dir, cleanup } = await tempDir();
    try {
      const started = Date.now();
      await ensurePki(dir, testCluster({ masters: M, nodes: N, pki: { keyAlgorithm: 'ECDSA-P256' } }), hostsOf(M), hostsOf(N));
      assert.ok(Date.now() - started < 2000, 'ECDSA generation is fast');
      const ca = await certText(join(dir, 'ca.crt'));
      assert.equal(ca.signatureAlgorithm, 'ecdsa-with-SHA256');
      assert.deepEqual(ca.keyUsage, ['Digital Signature', 'Key Encipherment', 'Certificate Sign']);
      for (const [leaf, caFile] of [[`masters/${M[0]}/apiserver`, 'ca.crt'], [`masters/${M[0]}/etcd/peer`, 'etcd/ca.crt'], ['front-proxy-client', 'front-proxy-ca.crt']] as const) {
        const c = await certText(join(dir, `${leaf}.crt`));
        assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA256', leaf);
        assert.deepEqual(c.keyUsage, ['Digital Signature', 'Key Encipherment'], leaf); // kubeadm sets both for every key type
        assert.match(await openssl(['verify', '-CAfile', join(dir, caFile), join(dir, `${leaf}.crt`)]), /OK/);
        assert.match(await readFile(join(dir, `${leaf}.key`), 'utf8'), /^-----BEGIN EC PRIVATE KEY-----\n/);
        assert.equal(await openssl(['pkey', '-in', join(dir, `${leaf}.key`), '-pubout']), await openssl(['x509', '-in', join(dir, `${leaf}.crt`), '-noout', '-pubkey']));
      }
      assert.match(await readFile(join(dir, 'sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
      await kubectl(['--kubeconfig', join(dir, 'admin.conf'), 'config', 'view']);
    } finally {
      await cleanup();
    }
  });

  test('Kubernetes 1.28: admin.conf is system:masters, no super-admin.conf', async () => {
    const { path: dir, cleanup } = await tempDir();
    try {
      await ensurePki(dir, testCluster({ masters: M, version: 'v1.28.15', pki: { keyAlgorithm: 'ECDSA-P256' } }), hostsOf(M), []);
      assert.ok(!existsSync(join(dir, 'super-admin.conf')));
      const doc = parse(await readFile(join(dir, 'admin.conf'), 'utf8'));
      const cert = Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString();
      assert.match(await openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], cert), /subject=CN=kubernetes-admin,O=system:masters/);
      assert.equal((await certText(join(dir, 'apiserver-kubelet-client.crt'))).subject, 'CN=kube-apiserver-kubelet-client,O=system:masters');
    } finally {
      await cleanup();
    }
  });

  test('Kubernetes 1.36: the apiserver\'s kubelet client certificate carries no group (kubeadm 1.36)', async () => {
    const { path: dir, cleanup } = await tempDir();
    try {
      await ensurePki(dir, testCluster({ masters: M, version: 'v1.36.3', pki: { keyAlgorithm: 'ECDSA-P256' } }), hostsOf(M), []);
      assert.equal((await certText(join(dir, 'apiserver-kubelet-client.crt'))).subject, 'CN=kube-apiserver-kubelet-client');
    } finally {
      await cleanup();
    }
  });

  test('filesForMaster/filesForNode: kubeadm paths and modes; workers get no keys or admin credentials', async () => {
    const { path: dir, cleanup } = await tempDir();
    try {
      await ensurePki(dir, testCluster({ masters: M, nodes: N, pki: { keyAlgorithm: 'ECDSA-P256' } }), hostsOf(M), hostsOf(N));
      const init = filesForMaster(dir, M[0]!, { initMaster: true });
      const remotes = init.map((f) => f.remote);
      for (const p of ['pki/ca.crt', 'pki/ca.key', 'pki/apiserver.crt', 'pki/etcd/server.key', 'pki/etcd/peer.crt', 'pki/sa.pub', 'pki/front-proxy-client.key', 'admin.conf', 'super-admin.conf', 'kubelet.conf', 'scheduler.conf', 'controller-manager.conf']) {
        assert.ok(remotes.includes(`/etc/kubernetes/${p}`), p);
      }
      assert.equal(init.length, 27); // 10 pairs, sa.key + sa.pub, 5 kubeconfigs
      for (const f of init) assert.equal(f.mode, f.remote.endsWith('.crt') || f.remote.endsWith('.pub') ? 0o644 : 0o600, f.remote);
      assert.ok(!filesForMaster(dir, M[0]!, { initMaster: false }).some((f) => f.remote.endsWith('super-admin.conf')));
      assert.deepEqual(filesForNode(dir, N[0]!).map((f) => [f.remote, f.mode]), [['/etc/kubernetes/pki/ca.crt', 0o644], ['/etc/kubernetes/kubelet.conf', 0o600]]);
      assert.throws(() => filesForNode(dir, '198.18.32.99'), /node 198\.18\.32\.99: the pki dir lacks/);
    } finally {
      await cleanup();
    }
  });

  test('a KeyPool started ahead supplies exactly the keys a fresh PKI needs', async () => {
    const { path: dir, cleanup } = await tempDir();
    try {
      const pool = new KeyPool('ECDSA-P256', keysNeeded(1, 1) + 2);
      const r = await ensurePki(dir, testCluster({ masters: M, nodes: N, pki: { keyAlgorithm: 'ECDSA-P256' } }), hostsOf(M), hostsOf(N), { keyPool: pool });
      assert.equal(pool.remaining, 2);
      assert.equal(r.changed.filter((f) => f.endsWith('.key') || f.endsWith('.conf')).length, keysNeeded(1, 1));
      // keys of another algorithm are not taken from the pool
      const { path: rsaDir, cleanup: rmRsa } = await tempDir();
      try {
        await ensurePki(rsaDir, testCluster({ masters: M, version: 'v1.28.0' }), hostsOf(M), [], { keyPool: pool });
        assert.equal(pool.remaining, 2);
        assert.match(await readFile(join(rsaDir, 'ca.key'), 'utf8'), /RSA PRIVATE KEY/);
      } finally {
        await rmRsa();
      }
    } finally {
      await cleanup();
    }
  });
});
