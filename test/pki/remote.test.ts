// cert renew / add-san / check-expiration against real OpenSSH hosts (the emulated fleet, id 30):
// files land with the right bytes and modes, the CA survives a renew, static pods are bounced,
// and a lost local state adopts the cluster's CA instead of minting a new one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Cluster } from '../../pkg/clusterfile/types.js';
import { UserError } from '../../pkg/errors/errors.js';
import { ensurePki, readExpirationsFromHosts, reissueOnMasters } from '../../pkg/pki/index.js';
import { SshPool } from '../../pkg/ssh/index.js';
import { masters } from '../../pkg/clusterfile/types.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { tempDir, testCluster } from './helpers.js';

const FLEET_ID = 30;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('pki on hosts (fleet)', () => {
  let fleet: Fleet;
  let pool: SshPool;
  let cluster: Cluster;
  let dir: string;
  let cleanup: () => Promise<void>;
  const remoteSha = async (host: string, path: string) => (await fleet.runOk(host, ['sha256sum', path])).split(' ')[0];
  const remoteMode = async (host: string, path: string) => (await fleet.runOk(host, ['stat', '-c', '%a', path])).trim();

  before(async () => {
    fleet = await fleetUp({ id: FLEET_ID, n: 3 });
    pool = new SshPool({ knownHostsFiles: [fleet.knownHostsPath] });
    const [m1, m2, n1] = fleet.hosts.map((h) => h.ip);
    cluster = testCluster({ masters: [m1!, m2!], nodes: [n1!], pki: { keyAlgorithm: 'ECDSA-P256' } });
    for (const h of cluster.hosts) h.ssh = { user: 'root', port: 22, pk: fleet.keyPath };
    ({ path: dir, cleanup } = await tempDir());
  });
  after(async () => {
    await pool?.closeAll();
    await fleet?.down();
    await cleanup?.();
  });

  test('first push: every master gets kubeadm\'s files byte for byte with kubeadm modes; per-master names', async () => {
    const r = await reissueOnMasters({ cluster, pkiDir: dir, pool, concurrency: 4, renew: new Set() });
    assert.equal(r.hosts.length, 2);
    for (const [i, m] of masters(cluster).entries()) {
      const host = fleet.host(m.ip).name;
      for (const [local, remote, mode] of [
        ['ca.crt', '/etc/kubernetes/pki/ca.crt', '644'],
        ['ca.key', '/etc/kubernetes/pki/ca.key', '600'],
        ['etcd/ca.key', '/etc/kubernetes/pki/etcd/ca.key', '600'],
        ['sa.pub', '/etc/kubernetes/pki/sa.pub', '644'],
        [`masters/${m.ip}/apiserver.crt`, '/etc/kubernetes/pki/apiserver.crt', '644'],
        [`masters/${m.ip}/etcd/peer.key`, '/etc/kubernetes/pki/etcd/peer.key', '600'],
        [`masters/${m.ip}/controller-manager.conf`, '/etc/kubernetes/controller-manager.conf', '600'],
        ['admin.conf', '/etc/kubernetes/admin.conf', '600'],
      ] as const) {
        assert.equal(await remoteSha(host, remote), sha(await readFile(join(dir, local), 'utf8')), `${host}:${remote}`);
        assert.equal(await remoteMode(host, remote), mode, `${host}:${remote} mode`);
      }
      const superAdmin = await fleet.run(host, ['test', '-f', '/etc/kubernetes/super-admin.conf']);
      assert.equal(superAdmin.code, i === 0 ? 0 : 1, 'super-admin.conf only on master0');
      // the apiserver certificate on this master names this master's hostname as gathered over SSH
      const text = await fleet.runOk(host, ['openssl', 'x509', '-in', '/etc/kubernetes/pki/etcd/server.crt', '-noout', '-subject', '-ext', 'subjectAltName']);
      assert.match(text, new RegExp(`CN ?= ?${host}\\b`));
      assert.match(text, new RegExp(`IP Address:${m.ip.replace(/\./g, '\\.')}`));
      const verify = await fleet.run(host, ['openssl', 'verify', '-CAfile', '/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/apiserver.crt']);
      assert.equal(verify.code, 0, verify.stderr);
    }
    const node = fleet.hosts[2]!.name;
    assert.equal((await fleet.run(node, ['test', '-e', '/etc/kubernetes/pki/ca.key'])).code, 1, 'workers get no CA key');
    // a second run writes nothing
    const again = await reissueOnMasters({ cluster, pkiDir: dir, pool, concurrency: 4, renew: new Set() });
    assert.deepEqual(again.pki.changed, []);
    assert.deepEqual(again.hosts.map((h) => h.written), [[], []]);
  });

  test('renew apiserver keeps the CA, pushes the new certificate, bounces kube-apiserver where it runs', async () => {
    const [m1, m2] = masters(cluster).map((m) => fleet.host(m.ip).name);
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\n';
    await fleet.runOk(m1!, ['mkdir', '-p', '/etc/kubernetes/manifests']);
    await fleet.runOk(m1!, ['sh', '-c', 'cat > /etc/kubernetes/manifests/kube-apiserver.yaml'], { input: manifest });
    const caBefore = await remoteSha(m1!, '/etc/kubernetes/pki/ca.crt');
    const apiBefore = await remoteSha(m1!, '/etc/kubernetes/pki/apiserver.crt');
    const r = await reissueOnMasters({ cluster, pkiDir: dir, pool, concurrency: 4, renew: new Set(['apiserver']), restartWaitSeconds: 1 });
    assert.deepEqual(r.pki.changed, masters(cluster).map((m) => `masters/${m.ip}/apiserver.crt`).sort());
    assert.equal(await remoteSha(m1!, '/etc/kubernetes/pki/ca.crt'), caBefore);
    assert.notEqual(await remoteSha(m1!, '/etc/kubernetes/pki/apiserver.crt'), apiBefore);
    assert.deepEqual(r.hosts[0]!.written, ['/etc/kubernetes/pki/apiserver.crt']);
    assert.deepEqual(r.hosts[0]!.restarted, ['kube-apiserver']);
    assert.deepEqual(r.hosts[1]!.skipped, ['kube-apiserver'], `${m2} has no manifest`);
    assert.equal(await fleet.runOk(m1!, ['cat', '/etc/kubernetes/manifests/kube-apiserver.yaml']), manifest, 'manifest moved back');
  });

  test('add-san reissues only the apiserver certificates, with the new name', async () => {
    const withSan = { ...cluster, pki: { ...cluster.pki, certSANs: ['api.example.test'] } };
    const r = await reissueOnMasters({ cluster: withSan, pkiDir: dir, pool, concurrency: 4, renew: new Set(), restartWaitSeconds: 1 });
    assert.deepEqual(r.pki.changed, masters(cluster).map((m) => `masters/${m.ip}/apiserver.crt`).sort());
    const host = fleet.host(masters(cluster)[1]!.ip).name;
    assert.match(await fleet.runOk(host, ['openssl', 'x509', '-in', '/etc/kubernetes/pki/apiserver.crt', '-noout', '-ext', 'subjectAltName']), /DNS:api\.example\.test/);
  });

  test('check-expiration reads every master', async () => {
    const rows = await readExpirationsFromHosts(pool, masters(cluster), 4);
    for (const m of masters(cluster)) {
      const mine = rows.filter((r) => r.source === m.ip).map((r) => r.name);
      for (const name of ['ca', 'etcd/ca', 'apiserver', 'etcd/server', 'admin.conf', 'scheduler.conf']) assert.ok(mine.includes(name), `${m.ip}: ${name}`);
      assert.ok(!mine.includes('kubelet.conf'));
    }
    const apiserver = rows.find((r) => r.name === 'apiserver')!;
    assert.ok(apiserver.residualDays >= 364 && apiserver.authority === 'ca');
    assert.equal(apiserver.local, undefined, 'compared with the local PKI only when asked');
  });

  test('check-expiration against the local PKI: the same everywhere, then the one certificate changed on a host is named', async () => {
    const same = await readExpirationsFromHosts(pool, masters(cluster), 4, dir);
    assert.deepEqual([...new Set(same.map((r) => r.local))], ['same'], JSON.stringify(same.filter((r) => r.local !== 'same')));
    // A certificate replaced on one master behind sealts' back (here: master 1's apiserver cert on master 0).
    const [m0, m1] = masters(cluster).map((m) => m.ip) as [string, string];
    const other = await readFile(join(dir, 'masters', m1, 'apiserver.crt'), 'utf8');
    const saved = await fleet.runOk(fleet.host(m0).name, ['cat', '/etc/kubernetes/pki/apiserver.crt']);
    await fleet.runOk(fleet.host(m0).name, ['sh', '-c', 'cat > /etc/kubernetes/pki/apiserver.crt'], { input: other });
    try {
      const rows = await readExpirationsFromHosts(pool, masters(cluster), 4, dir);
      assert.deepEqual(rows.filter((r) => r.local === 'differs').map((r) => `${r.source} ${r.name}`), [`${m0} apiserver`]);
    } finally {
      await fleet.runOk(fleet.host(m0).name, ['sh', '-c', 'cat > /etc/kubernetes/pki/apiserver.crt'], { input: saved });
    }
  });

  test('lost local state: the cluster\'s CAs are adopted; a different local CA is refused', async () => {
    const { path: fresh, cleanup: rmFresh } = await tempDir();
    try {
      await reissueOnMasters({ cluster, pkiDir: fresh, pool, concurrency: 4, renew: new Set(), restartWaitSeconds: 1 });
      for (const f of ['ca.crt', 'etcd/ca.crt', 'front-proxy-ca.crt', 'sa.key']) {
        assert.equal(await readFile(join(fresh, f), 'utf8'), await readFile(join(dir, f), 'utf8'), f);
      }
    } finally {
      await rmFresh();
    }
    const { path: other, cleanup: rmOther } = await tempDir();
    try {
      await ensurePki(other, cluster, [{ ip: masters(cluster)[0]!.ip, hostname: 'x' }], []);
      const caBefore = await readFile(join(other, 'ca.crt'), 'utf8');
      await assert.rejects(reissueOnMasters({ cluster, pkiDir: other, pool, concurrency: 4, renew: new Set() }), (e: Error) => e instanceof UserError && /ca\.crt differs from the (ca|front-proxy-ca|etcd\/ca) CA the cluster uses/.test(e.message));
      assert.equal(await readFile(join(other, 'ca.crt'), 'utf8'), caBefore);
    } finally {
      await rmOther();
    }
  });
});
