// Every example in clusterfiles/ validates, points editors at the schema, and round-trips; except the
// ones REFUSED lists, which must fail with exactly those lines.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { loadClusterfile, masters, nodes, renderClusterfile } from '../../pkg/clusterfile/index.js';
import { UserError } from '../../pkg/errors/errors.js';
import { assertRoundTrip, REPO } from './helpers.js';

const DIR = path.join(REPO, 'clusterfiles');
const REQUIRED = ['single-master.yaml', 'ha.yaml', 'k0s.yaml', 'sudo-user.yaml', 'bastion.yaml', 'sealer.yaml', 'sealos.yaml'];
/** sudo-user.yaml reads its sudo password from the environment. */
const ENV = { SEALTS_SUDO_PASSWD: 'example-sudo-pass' };
const SCHEMA_LINE = '# yaml-language-server: $schema=../schema/cluster.schema.json';

const files = (await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort();

test('the required examples exist', () => {
  for (const f of REQUIRED) assert.ok(files.includes(f), `missing clusterfiles/${f}`);
});

/** Examples that must be refused, with the exact problems (k0s.yaml: until the k0s runtime lands). */
const REFUSED: Record<string, string[]> = {
  'k0s.yaml': [`${path.join(DIR, 'k0s.yaml')}:11:11: spec.runtime.type: k0s is not supported yet (only kubeadm)`],
};

for (const f of files) {
  test(`clusterfiles/${f} ${REFUSED[f] ? 'is refused with its line:col' : 'validates and round-trips'}`, async () => {
    const file = path.join(DIR, f);
    const refused = REFUSED[f];
    if (refused) {
      const err = await loadClusterfile(file, { env: ENV }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
      assert.deepEqual(err.details, refused);
      assert.equal((await readFile(file, 'utf8')).split('\n')[0], SCHEMA_LINE);
      return;
    }
    const c = await loadClusterfile(file, { env: ENV });
    assert.ok(masters(c).length >= 1);
    assert.ok(c.hosts.every((h) => h.ip.startsWith('198.18.0.')), 'examples use the test fleet range');
    if (!/sealer|sealos/.test(f)) assert.ok(c.vip.address.startsWith('198.18.0.'), 'example VIPs stay in the test fleet range too');
    assertRoundTrip(c, ENV);
    const text = await readFile(file, 'utf8');
    if (text.includes('apiVersion: sealts.io/v1')) assert.equal(text.split('\n')[0], SCHEMA_LINE);
  });
}

test('ha.yaml: 3 masters, 3 nodes and a ClusterConfiguration override', async () => {
  const c = await loadClusterfile(path.join(DIR, 'ha.yaml'));
  assert.equal(masters(c).length, 3);
  assert.equal(nodes(c).length, 3);
  assert.deepEqual(c.overrides.map((o) => o.kind), ['ClusterConfiguration']);
  assert.match(renderClusterfile(c), /kind: ClusterConfiguration\netcd:/);
});

test('k0s.yaml says it is refused; sudo-user.yaml and bastion.yaml say what they show', async () => {
  assert.match(await readFile(path.join(DIR, 'k0s.yaml'), 'utf8'), /^# .*REFUSED for now: sealts has no k0s runtime/m);
  const sudo = await loadClusterfile(path.join(DIR, 'sudo-user.yaml'), { env: ENV });
  assert.equal(sudo.ssh.user, 'ops');
  assert.equal(sudo.ssh.sudoPasswd?.reveal(), 'example-sudo-pass');
  assert.equal(nodes(sudo)[0]!.ssh.user, 'ops2');
  const bastion = await loadClusterfile(path.join(DIR, 'bastion.yaml'));
  assert.equal(bastion.ssh.bastion?.host, '198.18.0.11');
  assert.ok(bastion.hosts.every((h) => h.ssh.bastion?.host === '198.18.0.11'));
});
