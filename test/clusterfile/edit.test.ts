// `cert add-san` records the SAN in the stored Clusterfile: as text, the user's comments kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClusterfile, withCertSan } from '../../pkg/clusterfile/index.js';

const FILE = [
  '# the prod cluster',
  'apiVersion: sealts.io/v1',
  'kind: Cluster',
  'metadata:',
  '  name: prod   # keep me',
  'spec:',
  '  image: /srv/rootfs',
  '  ssh: {user: root, passwd: example-pass}',
  '  hosts:',
  '    - ips: [198.18.0.11]',
  '      roles: [master]',
  '---',
  'apiVersion: kubeadm.k8s.io/v1beta4',
  'kind: ClusterConfiguration',
  'clusterName: prod',
  '',
].join('\n');

test('withCertSan adds the SAN once, keeps comments and the other documents; the result parses with it', () => {
  const once = withCertSan(FILE, 'api.prod.example.com')!;
  assert.match(once, /^# the prod cluster$/m);
  assert.match(once, /name: prod # keep me/);
  assert.match(once, /^kind: ClusterConfiguration$/m);
  assert.equal(withCertSan(once, 'api.prod.example.com'), once, 'a SAN already there is not added twice');
  const twice = withCertSan(once, '198.18.0.250')!;
  const c = parseClusterfile(twice, 'Clusterfile', { baseDir: '/' });
  assert.deepEqual(c.pki.certSANs, ['api.prod.example.com', '198.18.0.250']);
  assert.deepEqual(c.overrides.map((o) => o.kind), ['ClusterConfiguration']);
});

test('a file with no sealts Cluster document (sealer, sealos) is left alone', () => {
  const sealer = 'apiVersion: sealer.io/v2\nkind: Cluster\nmetadata: {name: x}\nspec:\n  image: r\n';
  assert.equal(withCertSan(sealer, 'a.example.com'), undefined);
});
