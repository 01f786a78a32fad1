// sealer and sealos Cluster documents are accepted unchanged and become sealts Clusters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { masters, nodes, renderClusterfile } from '../../pkg/clusterfile/index.js';
import { assertRoundTrip, parse } from './helpers.js';

const SEALER = `apiVersion: sealer.cloud/v2
kind: Cluster
metadata:
  name: my-cluster
spec:
  image: kubernetes:v1.30.2
  env:
    - key1=value1
    - key2=value2
    - key2=value3
  ssh:
    passwd: sealer-pass
    user: root
    port: "2222"
  hosts:
    - ips: [ 198.18.0.2, 198.18.0.3:22 ]
      roles: [ master ]
      env:
        - etcd-dir=/data/etcd
      ssh:
        user: admin
        passwd: other-pass
        port: "22"
    - ips: [ 198.18.0.5 ]
      roles: [ node, db ]
`;

test('sealer v2: string ports, KEY=value env, per-group ssh, version from the image tag', () => {
  const c = parse(SEALER);
  assert.equal(c.name, 'my-cluster');
  assert.deepEqual(c.runtime, { type: 'kubeadm', version: 'v1.30.2' });
  assert.deepEqual(c.env, { key1: 'value1', key2: 'value2 value3' });
  assert.deepEqual(
    c.hosts.map((h) => `${h.roles.join('+')} ${h.ssh.user}@${h.ip}:${h.ssh.port} ${h.ssh.passwd?.reveal()}`),
    ['master admin@198.18.0.2:22 other-pass', 'master admin@198.18.0.3:22 other-pass', 'node root@198.18.0.5:2222 sealer-pass'],
  );
  assert.deepEqual(masters(c)[0]!.env, { key1: 'value1', key2: 'value2 value3', 'etcd-dir': '/data/etcd' });
  assert.deepEqual(c.network, { podCIDR: '100.64.0.0/10', serviceCIDR: '10.96.0.0/22', dnsDomain: 'cluster.local', plugin: 'sealts-bridge' });
  assertRoundTrip(c);
});

test('sealer.io/v2 is the same format', () => {
  const c = parse(SEALER.replace('sealer.cloud/v2', 'sealer.io/v2'));
  assert.equal(nodes(c)[0]!.ip, '198.18.0.5');
});

const SEALOS = `apiVersion: apps.sealos.io/v1beta1
kind: Cluster
metadata:
  creationTimestamp: null
  name: default
spec:
  hosts:
  - ips:
    - 198.18.0.11:22
    - 198.18.0.12:2222
    roles:
    - master
    - amd64
  - ips:
    - 198.18.0.13:22
    roles:
    - node
    - arm64
  image:
  - labring/kubernetes:v1.25.0
  - labring/helm:v3.8.2
  - labring/calico:v3.24.1
  ssh:
    passwd: sealos-pass
    pk: /root/.ssh/id_rsa
    port: 22
    user: root
status: {}
`;

test('sealos v1beta1: arch roles ignored, first image is the rootfs, others warned about', () => {
  const c = parse(SEALOS);
  assert.equal(c.name, 'default');
  assert.equal(c.runtime.version, 'v1.25.0');
  assert.deepEqual(c.hosts.map((h) => [h.ip, h.ssh.port, h.roles]), [
    ['198.18.0.11', 22, ['master']],
    ['198.18.0.12', 2222, ['master']],
    ['198.18.0.13', 22, ['node']],
  ]);
  assert.equal(c.ssh.pk, '/root/.ssh/id_rsa');
  assert.deepEqual(c.warnings, [
    'spec.image: sealts installs one rootfs image; using labring/kubernetes:v1.25.0 and ignoring labring/helm:v3.8.2, labring/calico:v3.24.1',
  ]);
  assertRoundTrip(c);
});

test('a converted file renders as a sealts document', () => {
  const rendered = parseYaml(renderClusterfile(parse(SEALOS))) as { apiVersion: string; spec: { hosts: unknown } };
  assert.equal(rendered.apiVersion, 'sealts.io/v1');
  assert.deepEqual(rendered.spec.hosts, [
    { ips: ['198.18.0.11', '198.18.0.12:2222'], roles: ['master'] },
    { ips: ['198.18.0.13'], roles: ['node'] },
  ]);
});
