// `sealts cert generate` and `cert check-expiration --dir` as a user runs them: a real process,
// real exit codes, one-line errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { openssl, tempDir } from './helpers.js';

const run = promisify(execFile);
const SEALTS = join(import.meta.dirname, '../../cmd/sealts.ts');

async function sealts(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', SEALTS, ...args], { env: { ...process.env, SEALTS_HOME: '/nonexistent-sealts-home' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const clusterfile = (sans: string[]) => `apiVersion: sealts.io/v1
kind: Cluster
metadata:
  name: demo
spec:
  image: ./rootfs
  runtime: {type: kubeadm, version: v1.32.8}
  ssh: {user: root, passwd: not-used-offline}
  hosts:
    - ips: [198.18.36.11, 198.18.36.12]
      roles: [master]
    - ips: [198.18.36.21]
      roles: [node]
  pki:
    keyAlgorithm: ECDSA-P256
    certSANs: [${sans.map((s) => JSON.stringify(s)).join(', ')}]
`;

describe('sealts cert (CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'Clusterfile'), clusterfile(['api.example.com']));
    await writeFile(join(dir, 'Bad'), clusterfile(['bad_name.example.com']));
  });
  after(() => cleanup());

  test('generate writes the PKI offline; --hostname names a host, the others get the IP-derived name', async () => {
    const out = join(dir, 'pki');
    const r = await sealts(['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', out, '--hostname', '198.18.36.11=cp-one']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /written, 0 kept/);
    assert.match(r.stdout, /198\.18\.36\.11 {2}node name cp-one/);
    assert.match(r.stdout, /198\.18\.36\.12 {2}node name ip-198-18-36-12/);
    const sans = await openssl(['x509', '-in', join(out, 'masters/198.18.36.12/apiserver.crt'), '-noout', '-ext', 'subjectAltName']);
    for (const n of ['DNS:cp-one', 'DNS:ip-198-18-36-12', 'DNS:api.example.com', 'IP Address:198.18.36.11']) assert.ok(sans.includes(n), n);
    assert.match(await openssl(['verify', '-CAfile', join(out, 'ca.crt'), join(out, 'masters/198.18.36.11/apiserver.crt')]), /OK/);
    assert.equal((await stat(join(out, 'ca.key'))).mode & 0o777, 0o600);
    const again = await sealts(['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', out, '--hostname', '198.18.36.11=cp-one', '-o', 'json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).changed, []);
  });

  test('check-expiration --dir prints the table', async () => {
    const r = await sealts(['cert', 'check-expiration', '--dir', join(dir, 'pki')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^SOURCE\s+CERTIFICATE\s+EXPIRES\s+RESIDUAL TIME\s+CERTIFICATE AUTHORITY\n/);
    assert.match(r.stdout, /masters\/198\.18\.36\.11\/apiserver\s+.*\s+36[45]d\s+ca\n/);
    const json = await sealts(['cert', 'check-expiration', '--dir', join(dir, 'pki'), '-o', 'json']);
    assert.ok(JSON.parse(json.stdout).some((row: { name: string; isCa: boolean }) => row.name === 'etcd/ca' && row.isCa));
  });

  test('bad input: one line, exit 2, naming the value or the file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', join(dir, 'x'), '--hostname', '10.0.0.1=foo'], /^error: --hostname 10\.0\.0\.1=foo: 10\.0\.0\.1 is not a host of /],
      [['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', join(dir, 'x'), '--hostname', 'cp-one'], /^error: --hostname "cp-one": expected IP=NAME\n$/],
      [['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', join(dir, 'x'), '--hostname', '198.18.36.11=Not_Valid'], /^error: host 198\.18\.36\.11: hostname "Not_Valid" is not a valid node name/],
      [['cert', 'generate', '-f', join(dir, 'Bad'), '--out', join(dir, 'x')], /^error: .*Bad: invalid Clusterfile .*\n.*Bad:\d+:\d+: spec\.pki\.certSANs\[0\]: .*"bad_name\.example\.com"/],
      [['cert', 'check-expiration', '--dir', join(dir, 'nothing-here')], /nothing-here: cannot read the directory/],
      [['cert', 'renew', 'kubelet.conf', '-f', join(dir, 'Clusterfile')], /^error: cert renew: unknown certificate "kubelet\.conf"; expected all or one of admin\.conf, /],
    ];
    for (const [args, message] of cases) {
      const r = await sealts(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^error: [^\n]+\n/);
    }
  });

  test('a CA that does not match its key: exit 2 naming both files', async () => {
    const out = join(dir, 'pki');
    const other = join(dir, 'pki2');
    assert.equal((await sealts(['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', other])).code, 0);
    await writeFile(join(out, 'front-proxy-ca.key'), await readFile(join(other, 'front-proxy-ca.key')));
    const r = await sealts(['cert', 'generate', '-f', join(dir, 'Clusterfile'), '--out', out]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `error: ${join(out, 'front-proxy-ca')}.crt does not match ${join(out, 'front-proxy-ca')}.key: the key belongs to another certificate\n`);
  });
});
