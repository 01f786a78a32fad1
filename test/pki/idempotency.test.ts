// ensurePki over an existing dir: what is kept, what is reissued, what is refused.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { ensurePki, loadCaFromPem } from '../../pkg/pki/index.js';
import { certText, hostsOf, openssl, tempDir, testCluster } from './helpers.js';

const M = ['198.18.31.11', '198.18.31.12'];
const N = ['198.18.31.21'];
const base = (extra: Parameters<typeof testCluster>[0] extends infer T ? Partial<T> : never = {}) => testCluster({ masters: M, nodes: N, ...extra });

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => /\.(crt|key|conf|pub)$/.test(f));
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(join(dir, f), 'utf8')] as [string, string])));
}

function changedBetween(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

describe('ensurePki idempotency', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    await ensurePki(dir, base(), hostsOf(M), hostsOf(N, 'node'));
  });
  after(() => cleanup());

  test('a second run keeps every file byte for byte', async () => {
    const before = await snapshot(dir);
    const r = await ensurePki(dir, base(), hostsOf(M), hostsOf(N, 'node'));
    assert.deepEqual(r.changed, []);
    assert.deepEqual(changedBetween(before, await snapshot(dir)), []);
    assert.equal(r.kept.length, before.size);
  });

  test('an extra certSAN reissues only the apiserver certificates, with the same keys', async () => {
    const before = await snapshot(dir);
    const r = await ensurePki(dir, base({ pki: { certSANs: ['api.example.com'] } }), hostsOf(M), hostsOf(N, 'node'));
    const expected = M.map((ip) => `masters/${ip}/apiserver.crt`);
    assert.deepEqual(r.changed, expected);
    assert.deepEqual(changedBetween(before, await snapshot(dir)), expected);
    assert.ok((await certText(join(dir, `masters/${M[0]}/apiserver.crt`))).dns.includes('api.example.com'));
    assert.match(await openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, `masters/${M[0]}/apiserver.crt`)]), /OK/);
  });

  test('a new master: every apiserver reissued (they list all masters), other masters keep etcd certs and kubeconfigs', async () => {
    const more = [...M, '198.18.31.13'];
    const before = await snapshot(dir);
    const cluster = testCluster({ masters: more, nodes: N, pki: { certSANs: ['api.example.com'] } });
    const r = await ensurePki(dir, cluster, hostsOf(more), hostsOf(N, 'node'));
    const touched = changedBetween(before, await snapshot(dir));
    for (const ip of M) {
      assert.ok(touched.includes(`masters/${ip}/apiserver.crt`), ip);
      for (const f of ['etcd/server.crt', 'etcd/peer.crt', 'kubelet.conf', 'scheduler.conf']) assert.ok(!touched.includes(`masters/${ip}/${f}`), `${ip}/${f} kept`);
    }
    assert.ok(touched.includes('masters/198.18.31.13/etcd/server.crt'));
    assert.ok(!touched.includes('ca.crt') && !touched.includes('admin.conf') && !touched.includes(`nodes/${N[0]}/kubelet.conf`));
    assert.deepEqual(r.removed, []);
    // and back: the removed master's folder goes away
    const r2 = await ensurePki(dir, base({ pki: { certSANs: ['api.example.com'] } }), hostsOf(M), hostsOf(N, 'node'));
    assert.deepEqual(r2.removed, ['masters/198.18.31.13']);
  });

  test('a renamed node gets a new kubelet.conf; a removed node loses its folder', async () => {
    const r = await ensurePki(dir, base(), hostsOf(M), [{ ip: N[0]!, hostname: 'renamed' }]);
    assert.ok(r.changed.includes(`nodes/${N[0]}/kubelet.conf`));
    const r2 = await ensurePki(dir, base(), hostsOf(M), []);
    assert.deepEqual(r2.removed, [`nodes/${N[0]}`]);
    await ensurePki(dir, base(), hostsOf(M), hostsOf(N, 'node'));
  });

  test('renew reissues the named leaves and keeps the CA and everything else', async () => {
    const before = await snapshot(dir);
    const r = await ensurePki(dir, base(), hostsOf(M), hostsOf(N, 'node'), { renew: new Set(['apiserver', 'admin.conf']) });
    assert.deepEqual(r.changed, ['admin.conf', ...M.map((ip) => `masters/${ip}/apiserver.crt`)].sort());
    assert.equal((await snapshot(dir)).get('ca.crt'), before.get('ca.crt'));
  });

  test('a leaf close to expiry is reissued; the CA is kept', async () => {
    const later = new Date(Date.now() + 350 * 86400e3);
    const before = await snapshot(dir);
    const r = await ensurePki(dir, base(), hostsOf(M), hostsOf(N, 'node'), { now: later });
    assert.ok(r.changed.includes(`masters/${M[0]}/apiserver.crt`));
    assert.ok(r.changed.includes('admin.conf'));
    assert.ok(r.kept.includes('ca.crt') && r.kept.includes('etcd/ca.crt'));
    assert.equal((await snapshot(dir)).get('ca.crt'), before.get('ca.crt'));
  });

  test('a world-readable key is kept but its mode is fixed to 0600', async () => {
    await chmod(join(dir, 'apiserver-etcd-client.key'), 0o644);
    await ensurePki(dir, base(), hostsOf(M), hostsOf(N, 'node'));
    assert.equal((await stat(join(dir, 'apiserver-etcd-client.key'))).mode & 0o777, 0o600);
  });

  test('a CA certificate that does not match its key is a clear UserError naming the file', async () => {
    const { path: other, cleanup: rmOther } = await tempDir();
    try {
      await ensurePki(other, base(), hostsOf(M), []);
      const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      await writeFile(join(other, 'ca.key'), foreign);
      await assert.rejects(ensurePki(other, base(), hostsOf(M), []), (e: Error) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, new RegExp(`${join(other, 'ca')}\\.crt does not match ${join(other, 'ca')}\\.key`));
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    } finally {
      await rmOther();
    }
  });

  test('a SAN that is neither an IP nor a DNS name is a UserError, and nothing is written', async () => {
    const { path: empty, cleanup: rmEmpty } = await tempDir();
    try {
      for (const bad of ['not a name', 'under_score.example', '10.0.0.300/24', 'a..b']) {
        await assert.rejects(ensurePki(empty, base({ pki: { certSANs: ['ok.example.com', bad] } }), hostsOf(M), []), (e: Error) => {
          assert.ok(e instanceof UserError, bad);
          assert.match(e.message, /^pki\.certSANs: .* is neither an IP address nor a DNS name$/);
          assert.ok(e.message.includes(JSON.stringify(bad)));
          return true;
        });
      }
      await assert.rejects(ensurePki(empty, base(), [{ ip: M[0]!, hostname: 'Bad_Host' }], []), /hostname "Bad_Host" is not a valid node name/);
      await assert.rejects(ensurePki(empty, base(), [], []), /no master/);
      await assert.rejects(ensurePki(empty, base(), hostsOf(M), [{ ip: '198.18.31.99', hostname: 'host-11' }]), /two hosts have the hostname host-11/);
      await assert.rejects(ensurePki(empty, base(), hostsOf(M), [{ ip: M[0]!, hostname: 'other' }]), /host 198\.18\.31\.11 is listed twice/);
      assert.deepEqual(await readdir(empty), []);
    } finally {
      await rmEmpty();
    }
  });

  test('losing the state dir: the CAs and sa.key read back (loadCaFromPem) are adopted, leaves are reissued under them', async () => {
    const read = (f: string) => readFile(join(dir, f), 'utf8');
    const cas = {
      ca: loadCaFromPem(await read('ca.crt'), await read('ca.key')),
      'front-proxy-ca': loadCaFromPem(await read('front-proxy-ca.crt'), await read('front-proxy-ca.key')),
      'etcd/ca': loadCaFromPem(await read('etcd/ca.crt'), await read('etcd/ca.key')),
    };
    const saKeyPem = await read('sa.key');
    const { path: fresh, cleanup: rmFresh } = await tempDir();
    try {
      await ensurePki(fresh, base(), hostsOf(M), hostsOf(N, 'node'), { cas, saKeyPem });
      for (const f of ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'etcd/ca.crt', 'sa.key', 'sa.pub']) {
        assert.equal(await readFile(join(fresh, f), 'utf8'), await read(f), f);
      }
      assert.match(await openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(fresh, `masters/${M[1]}/apiserver.crt`)]), /OK/);
      // a dir holding a different CA than the cluster's is refused, not overwritten
      const { path: other, cleanup: rmOther } = await tempDir();
      try {
        await ensurePki(other, base(), hostsOf(M), []);
        await assert.rejects(ensurePki(other, base(), hostsOf(M), [], { cas }), /ca\.crt differs from the ca CA the cluster uses/);
      } finally {
        await rmOther();
      }
    } finally {
      await rmFresh();
    }
  });

  test('loadCaFromPem refuses a mismatched pair, a non-CA and garbage; normalises CRLF', async () => {
    const crt = await readFile(join(dir, 'ca.crt'), 'utf8');
    const key = await readFile(join(dir, 'ca.key'), 'utf8');
    assert.equal(loadCaFromPem(crt.replace(/\n/g, '\r\n'), key).certPem, crt);
    assert.throws(() => loadCaFromPem(crt, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 'master0:/etc/kubernetes/pki/ca'), (e: Error) => e instanceof UserError && /master0:\/etc\/kubernetes\/pki\/ca\.crt does not match/.test(e.message));
    const leaf = await readFile(join(dir, 'apiserver-etcd-client.crt'), 'utf8');
    assert.throws(() => loadCaFromPem(leaf, key), /not a CA/);
    assert.throws(() => loadCaFromPem('garbage', key), /not a PEM certificate/);
    assert.throws(() => loadCaFromPem(crt, 'garbage'), /not a PEM private key/);
  });

  test('a CA whose key was removed is refused, not silently replaced', async () => {
    const { path: other, cleanup: rmOther } = await tempDir();
    try {
      await ensurePki(other, base(), hostsOf(M), []);
      await rm(join(other, 'etcd/ca.key'));
      await assert.rejects(ensurePki(other, base(), hostsOf(M), []), /etcd\/ca\.crt exists but .*etcd\/ca\.key is missing/);
    } finally {
      await rmOther();
    }
  });
});
