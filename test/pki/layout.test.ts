// The generated PKI checked by openssl and kubectl, not by our own code: kubeadm's table of
// subjects, usages, SANs and signers, key/cert pairs, serials, validity, file modes and PEM bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { caCertHash, ensurePki } from '../../pkg/pki/index.js';
import { certText, hostsOf, kubectl, openssl, tempDir, testCluster } from './helpers.js';

const MASTERS = ['198.18.30.11', '198.18.30.12', '198.18.30.13'];
const NODES = ['198.18.30.21', '198.18.30.22'];
const SERVICE_IP = '10.96.0.1';
const VIP = '10.103.97.2';
const CA_FOR: Record<string, string> = { ca: 'ca.crt', 'front-proxy-ca': 'front-proxy-ca.crt', 'etcd/ca': 'etcd/ca.crt' };

interface Expected {
  path: string;
  subject: string;
  ca: keyof typeof CA_FOR;
  eku: string[];
  dns?: string[];
  ips?: string[];
}

function expectedLeaves(): Expected[] {
  const shared: Expected[] = [
    { path: 'apiserver-kubelet-client', subject: 'CN=kube-apiserver-kubelet-client,O=kubeadm:cluster-admins', ca: 'ca', eku: ['TLS Web Client Authentication'] },
    { path: 'front-proxy-client', subject: 'CN=front-proxy-client', ca: 'front-proxy-ca', eku: ['TLS Web Client Authentication'] },
    { path: 'etcd/healthcheck-client', subject: 'CN=kube-etcd-healthcheck-client', ca: 'etcd/ca', eku: ['TLS Web Client Authentication'] },
    { path: 'apiserver-etcd-client', subject: 'CN=kube-apiserver-etcd-client', ca: 'etcd/ca', eku: ['TLS Web Client Authentication'] },
  ];
  const both = ['TLS Web Server Authentication', 'TLS Web Client Authentication'];
  const perMaster = hostsOf(MASTERS).flatMap(({ ip, hostname }): Expected[] => [
    {
      path: `masters/${ip}/apiserver`,
      subject: 'CN=kube-apiserver',
      ca: 'ca',
      eku: ['TLS Web Server Authentication'],
      dns: [hostname, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'host-11', 'host-12', 'host-13', 'localhost', 'apiserver.cluster.local', 'extra.example.com'],
      ips: [SERVICE_IP, ip, '127.0.0.1', ...MASTERS, VIP, '203.0.113.7'],
    },
    { path: `masters/${ip}/etcd/server`, subject: `CN=${hostname}`, ca: 'etcd/ca', eku: both, dns: [hostname, 'localhost'], ips: [ip, '127.0.0.1', '0:0:0:0:0:0:0:1'] },
    { path: `masters/${ip}/etcd/peer`, subject: `CN=${hostname}`, ca: 'etcd/ca', eku: both, dns: [hostname, 'localhost'], ips: [ip, '127.0.0.1', '0:0:0:0:0:0:0:1'] },
  ]);
  return [...shared, ...perMaster];
}

function expectedKubeconfigs(): Array<{ path: string; subject: string; server: string; user: string }> {
  const endpoint = 'https://apiserver.cluster.local:6443';
  return [
    { path: 'admin.conf', subject: 'CN=kubernetes-admin,O=kubeadm:cluster-admins', server: endpoint, user: 'kubernetes-admin' },
    { path: 'super-admin.conf', subject: 'CN=kubernetes-super-admin,O=system:masters', server: endpoint, user: 'kubernetes-super-admin' },
    ...hostsOf(MASTERS).flatMap(({ ip, hostname }) => [
      { path: `masters/${ip}/controller-manager.conf`, subject: 'CN=system:kube-controller-manager', server: `https://${ip}:6443`, user: 'system:kube-controller-manager' },
      { path: `masters/${ip}/scheduler.conf`, subject: 'CN=system:kube-scheduler', server: `https://${ip}:6443`, user: 'system:kube-scheduler' },
      { path: `masters/${ip}/kubelet.conf`, subject: `CN=system:node:${hostname},O=system:nodes`, server: endpoint, user: `system:node:${hostname}` },
    ]),
    ...hostsOf(NODES, 'node').map(({ ip, hostname }) => ({
      path: `nodes/${ip}/kubelet.conf`,
      subject: `CN=system:node:${hostname},O=system:nodes`,
      server: endpoint,
      user: `system:node:${hostname}`,
    })),
  ];
}

const sorted = (xs: string[]) => [...new Set(xs)].sort();

describe('pki layout (RSA, Kubernetes 1.32)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const started = new Date();

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    const cluster = testCluster({ masters: MASTERS, nodes: NODES, pki: { certSANs: ['extra.example.com', '203.0.113.7'] } });
    await ensurePki(dir, cluster, hostsOf(MASTERS), hostsOf(NODES, 'node'));
  });
  after(() => cleanup());

  test('CAs: self-signed, CA:TRUE, keyCertSign, one DNS SAN equal to the CN, AKI = own SKI, 10 years', async () => {
    for (const [file, cn] of [['ca.crt', 'kubernetes'], ['front-proxy-ca.crt', 'front-proxy-ca'], ['etcd/ca.crt', 'etcd-ca']] as const) {
      const c = await certText(join(dir, file));
      assert.equal(c.subject, `CN=${cn}`, file);
      assert.equal(c.issuer, `CN=${cn}`, file);
      assert.equal(c.basicConstraints, 'CA:TRUE', file);
      assert.deepEqual(c.keyUsage, ['Digital Signature', 'Key Encipherment', 'Certificate Sign'], file);
      assert.ok(c.keyUsageCritical, file);
      assert.deepEqual(c.dns, [cn], file);
      assert.equal(c.aki, c.ski, file);
      assert.equal(c.signatureAlgorithm, 'sha256WithRSAEncryption', file);
      const days = (c.notAfter.getTime() - started.getTime()) / 86400e3;
      assert.ok(days > 3649 && days <= 3650, `${file}: ${days} days`);
      await openssl(['verify', '-CAfile', join(dir, file), join(dir, file)]);
    }
  });

  test('every leaf: kubeadm subject, usages, SANs; verifies against its own CA only', async () => {
    for (const e of expectedLeaves()) {
      const file = join(dir, `${e.path}.crt`);
      const c = await certText(file);
      assert.equal(c.subject, e.subject, e.path);
      assert.equal(c.basicConstraints, 'CA:FALSE', e.path);
      assert.deepEqual(c.keyUsage, ['Digital Signature', 'Key Encipherment'], e.path);
      assert.deepEqual(c.extKeyUsage, e.eku, e.path);
      assert.deepEqual(sorted(c.dns), sorted(e.dns ?? []), `${e.path} DNS SANs`);
      assert.deepEqual(sorted(c.ips), sorted(e.ips ?? []), `${e.path} IP SANs`);
      assert.equal(c.signatureAlgorithm, 'sha256WithRSAEncryption', e.path);
      const caFile = join(dir, CA_FOR[e.ca]!);
      assert.equal(c.aki, (await certText(caFile)).ski, `${e.path}: AKI = signer's SKI`);
      assert.match(c.ski, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/, e.path);
      assert.match(await openssl(['verify', '-CAfile', caFile, file]), /: OK/);
      for (const other of Object.values(CA_FOR).filter((f) => f !== CA_FOR[e.ca])) {
        await assert.rejects(openssl(['verify', '-CAfile', join(dir, other), file]), `${e.path} must not verify against ${other}`);
      }
    }
  });

  test('leaf validity: 1 year, NotBefore backdated 5 minutes', async () => {
    const c = await certText(join(dir, 'masters/198.18.30.11/apiserver.crt'));
    const backdate = (started.getTime() - c.notBefore.getTime()) / 60e3;
    assert.ok(backdate > 4 && backdate <= 6, `backdated ${backdate} min`);
    const days = (c.notAfter.getTime() - started.getTime()) / 86400e3;
    assert.ok(days > 364.9 && days <= 365, `${days} days`);
  });

  test('every key matches its certificate (openssl pkey -pubout vs x509 -pubkey); PKCS#1 keys, 0600', async () => {
    const pairs = ['ca', 'front-proxy-ca', 'etcd/ca', ...expectedLeaves().map((e) => e.path)];
    for (const p of pairs) {
      const [fromKey, fromCert] = await Promise.all([
        openssl(['pkey', '-in', join(dir, `${p}.key`), '-pubout']),
        openssl(['x509', '-in', join(dir, `${p}.crt`), '-noout', '-pubkey']),
      ]);
      assert.equal(fromKey, fromCert, p);
      const key = await readFile(join(dir, `${p}.key`), 'utf8');
      assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----\n/, p);
      assert.equal((await stat(join(dir, `${p}.key`))).mode & 0o777, 0o600, `${p}.key mode`);
      assert.equal((await stat(join(dir, `${p}.crt`))).mode & 0o777, 0o644, `${p}.crt mode`);
      assert.ok(!key.includes('\r') && !(await readFile(join(dir, `${p}.crt`), 'utf8')).includes('\r'), `${p}: no CR`);
    }
  });

  test('sa.key / sa.pub: RSA pair, sa.pub is PKIX', async () => {
    const pub = await readFile(join(dir, 'sa.pub'), 'utf8');
    assert.match(pub, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(await openssl(['pkey', '-in', join(dir, 'sa.key'), '-pubout']), pub);
    assert.match(await readFile(join(dir, 'sa.key'), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal((await stat(join(dir, 'sa.key'))).mode & 0o777, 0o600);
  });

  test('serials: positive, 128-bit random, all different', async () => {
    const files = ['ca', 'front-proxy-ca', 'etcd/ca', ...expectedLeaves().map((e) => e.path)];
    const serials = await Promise.all(files.map(async (f) => (await certText(join(dir, `${f}.crt`))).serial));
    assert.equal(new Set(serials).size, serials.length);
    for (const s of serials) {
      assert.match(s, /^[0-7][0-9A-F]{31}$/, `serial ${s}: 16 bytes, top bit clear`);
    }
  });

  test('kubeconfigs: kubeadm users and servers, CA embedded byte for byte, client cert chains to the CA, 0600, kubectl accepts them', async () => {
    const caPem = await readFile(join(dir, 'ca.crt'), 'utf8');
    for (const k of expectedKubeconfigs()) {
      const file = join(dir, k.path);
      assert.equal((await stat(file)).mode & 0o777, 0o600, k.path);
      const doc = parse(await readFile(file, 'utf8'));
      assert.equal(doc['current-context'], `${k.user}@kubernetes`, k.path);
      assert.equal(doc.clusters[0].name, 'kubernetes');
      assert.equal(doc.clusters[0].cluster.server, k.server, k.path);
      assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), caPem, k.path);
      assert.equal(doc.users[0].name, k.user);
      const certPem = Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString();
      const keyPem = Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString();
      const { path: tmp, cleanup: rmTmp } = await tempDir();
      try {
        await writeFile(join(tmp, 'c.crt'), certPem);
        await writeFile(join(tmp, 'c.key'), keyPem);
        const c = await certText(join(tmp, 'c.crt'));
        assert.equal(c.subject, k.subject, k.path);
        assert.deepEqual(c.extKeyUsage, ['TLS Web Client Authentication'], k.path);
        assert.match(await openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(tmp, 'c.crt')]), /: OK/);
        assert.equal(await openssl(['pkey', '-in', join(tmp, 'c.key'), '-pubout']), await openssl(['x509', '-in', join(tmp, 'c.crt'), '-noout', '-pubkey']));
      } finally {
        await rmTmp();
      }
      const view = parse(await kubectl(['--kubeconfig', file, 'config', 'view', '--raw', '-o', 'yaml']));
      assert.equal(view.clusters[0].cluster.server, k.server, `kubectl reads ${k.path}`);
      assert.equal(view['current-context'], `${k.user}@kubernetes`);
    }
  });

  test('caCertHash equals the openssl pipeline from REFERENCE-kubeadm.md', async () => {
    const expected = execFileSync('sh', ['-c', 'openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | sha256sum', 'sh', join(dir, 'ca.crt')])
      .toString()
      .split(' ')[0];
    assert.equal(caCertHash(await readFile(join(dir, 'ca.crt'), 'utf8')), `sha256:${expected}`);
  });
});
