// check-expiration over a local dir: rows, authorities, the table, and bad files.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { ensurePki, formatExpirationTable, readExpirationsFromDir } from '../../pkg/pki/index.js';
import { hostsOf, openssl, tempDir, testCluster } from './helpers.js';

const M = ['198.18.35.11'];

describe('check-expiration --dir', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    await ensurePki(dir, testCluster({ masters: M, pki: { keyAlgorithm: 'ECDSA-P256', leafValidityDays: 100, caValidityDays: 1000 } }), hostsOf(M), []);
  });
  after(() => cleanup());

  test('one row per certificate and kubeconfig, with the expiry openssl reads and the signing CA', async () => {
    const rows = await readExpirationsFromDir(dir);
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const name of ['ca', 'front-proxy-ca', 'etcd/ca']) assert.equal(byName.get(name)?.isCa, true, name);
    assert.equal(byName.get('ca')!.residualDays, 999);
    const apiserver = byName.get(`masters/${M[0]}/apiserver`)!;
    assert.equal(apiserver.authority, 'ca');
    assert.equal(apiserver.residualDays, 99);
    const opensslEnd = (await openssl(['x509', '-in', join(dir, `masters/${M[0]}/apiserver.crt`), '-noout', '-enddate'])).trim().replace('notAfter=', '');
    assert.equal(apiserver.expires.getTime(), new Date(opensslEnd).getTime());
    assert.equal(byName.get(`masters/${M[0]}/etcd/peer`)!.authority, 'etcd/ca');
    assert.equal(byName.get('front-proxy-client')!.authority, 'front-proxy-ca');
    assert.equal(byName.get('admin.conf')!.authority, 'ca');
    assert.equal(rows.length, 3 + 4 + 3 + 2 + 3); // CAs, shared leaves, master leaves, admin + super-admin, master kubeconfigs
  });

  test('the table has kubeadm\'s columns and residual times', async () => {
    const table = formatExpirationTable(await readExpirationsFromDir(dir));
    const lines = table.trimEnd().split('\n');
    assert.match(lines[0]!, /^SOURCE\s+CERTIFICATE\s+EXPIRES\s+RESIDUAL TIME\s+CERTIFICATE AUTHORITY$/);
    assert.ok(lines.some((l) => /admin\.conf\s+\w{3} \d{2}, \d{4} \d{2}:\d{2} UTC\s+99d\s+ca$/.test(l)), table);
    assert.ok(lines.some((l) => /\betcd\/ca\s+.*\s+2y\s+\(CA\)$/.test(l)), table);
  });

  test('a file that is not a certificate, or a missing dir, is a UserError naming it', async () => {
    const { path: bad, cleanup: rmBad } = await tempDir();
    try {
      await assert.rejects(readExpirationsFromDir(join(bad, 'nope')), (e: Error) => e instanceof UserError && e.message.includes('nope'));
      await assert.rejects(readExpirationsFromDir(bad), /no \*\.crt or \*\.conf files/);
      await mkdir(join(bad, 'pki'));
      await writeFile(join(bad, 'pki', 'broken.crt'), 'not a certificate\n');
      await assert.rejects(readExpirationsFromDir(bad), (e: Error) => e instanceof UserError && /pki\/broken\.crt: not a PEM certificate/.test(e.message));
    } finally {
      await rmBad();
    }
  });
});
