// Good Clusterfiles: defaults filled in one place, hosts expanded and merged, secrets wrapped.
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { isSecret } from '../../pkg/secret/secret.js';
import { DEFAULT_VERSIONS, loadClusterfile, masters, nodes, parseClusterfile } from '../../pkg/clusterfile/index.js';
import { expandHome } from '../../pkg/ssh/auth.js';
import { BASE_SPEC, clusterfile, parse, problems } from './helpers.js';

const here = path.resolve('.');

test('a minimal file gets every default', () => {
  const c = parse(clusterfile(BASE_SPEC));
  const { ssh, hosts, ...rest } = c;
  assert.deepEqual(rest, {
    name: 'demo',
    image: path.join(path.dirname(here), 'rootfs'),
    runtime: { type: 'kubeadm', version: DEFAULT_VERSIONS.kubeadm },
    network: { podCIDR: '100.64.0.0/10', serviceCIDR: '10.96.0.0/22', dnsDomain: 'cluster.local', plugin: 'sealts-bridge' },
    vip: { address: '10.103.97.2', mode: 'auto' },
    pki: { caValidityDays: 3650, leafValidityDays: 365, keyAlgorithm: 'RSA-2048', certSANs: [] },
    env: {},
    overrides: [],
    source: 'good.yaml',
    // The files it names (here the image; password login, no key), where they are written.
    localFiles: [{ kind: 'image', field: 'spec.image', path: path.join(path.dirname(here), 'rootfs'), file: 'good.yaml', line: 6, column: 10 }],
  });
  assert.equal(ssh.user, 'root');
  assert.equal(ssh.port, 22);
  assert.ok(isSecret(ssh.passwd));
  assert.equal(ssh.passwd.reveal(), 's3cret-pass');
  assert.deepEqual(
    hosts.map((h) => [h.ip, h.roles, h.ssh.port]),
    [
      ['198.18.0.11', ['master'], 22],
      ['198.18.0.12', ['node'], 22],
    ],
  );
});

test('k0s: its default version; a ClusterConfig is checked field by field, at its line:col, and kept for the runtime', () => {
  const k0s = (doc: string) => clusterfile(`  runtime: {type: k0s}\n${BASE_SPEC}`) + `---\napiVersion: k0s.k0sproject.io/v1beta1\nkind: ClusterConfig\n${doc}`;
  const c = parse(k0s('spec:\n  api: {sans: [lb.example], extraArgs: {v: "2"}}\n  telemetry: {enabled: false}\n'));
  assert.deepEqual(c.runtime, { type: 'k0s', version: DEFAULT_VERSIONS.k0s });
  assert.match(DEFAULT_VERSIONS.k0s, /^v\d+\.\d+\.\d+\+k0s\.0$/);
  assert.deepEqual(c.overrides[0]!.body.spec, { api: { sans: ['lb.example'], extraArgs: { v: '2' } }, telemetry: { enabled: false } });
  assert.deepEqual(problems(k0s('spec:\n  api: {sanz: [x], port: "6443"}\n  telemetry: {enabled: "no"}\n  network: {kubeProxy: {mode: fast}}\n')), [
    'bad.yaml:19:9: ClusterConfig.spec.api: unknown field "sanz" (did you mean "sans"?)',
    'bad.yaml:19:26: ClusterConfig.spec.api.port: expected an integer, got the string "6443"',
    'bad.yaml:20:24: ClusterConfig.spec.telemetry.enabled: expected true or false, got the string "no"',
    'bad.yaml:21:31: ClusterConfig.spec.network.kubeProxy.mode: must be one of iptables, ipvs, nftables, userspace; got "fast"',
  ]);
  // What sealts sets per controller, or takes from the Cluster document, is refused where written.
  assert.deepEqual(problems(k0s('spec:\n  api: {address: 198.18.0.11}\n  network: {podCIDR: 10.0.0.0/16, provider: calico}\n')), [
    'bad.yaml:19:18: ClusterConfig.spec.api.address: not settable here: sealts sets each controller its own address',
    'bad.yaml:20:22: ClusterConfig.spec.network.podCIDR: not settable here: set spec.network.podCIDR of the Cluster document',
    'bad.yaml:20:45: ClusterConfig.spec.network.provider: calico would run beside sealts-bridge (spec.network.plugin); set the Cluster\'s spec.network.plugin to none to let k0s run calico',
  ]);
});

test('hosts: ranges expand in order, ip:port sets that host port, groups override ssh and env', () => {
  const c = parse(
    clusterfile(`  image: /srv/rootfs.tar.gz
  ssh:
    user: ops
    pk: keys/id_ed25519
    port: 2200
    sudoPasswd: "0123"
  env: {A: one, B: 2}
  hosts:
    - ips: [198.18.0.11-13]
      roles: [master]
    - ips: ["198.18.0.21:2222", 198.18.0.22]
      roles: [node]
      ssh: {user: root, passwd: 0123}
      env: {B: two, C: "yes"}
`),
  );
  assert.equal(c.image, '/srv/rootfs.tar.gz');
  assert.deepEqual(masters(c).map((h) => h.ip), ['198.18.0.11', '198.18.0.12', '198.18.0.13']);
  assert.deepEqual(nodes(c).map((h) => `${h.ssh.user}@${h.ip}:${h.ssh.port}`), ['root@198.18.0.21:2222', 'root@198.18.0.22:2200']);
  const node = nodes(c)[0]!;
  assert.equal(node.ssh.pk, path.resolve('keys/id_ed25519'), 'relative key paths are relative to the Clusterfile');
  assert.equal(node.ssh.passwd?.reveal(), '0123', 'a numeric password is taken as written');
  assert.equal(node.ssh.sudoPasswd?.reveal(), '0123', 'the cluster sudo password is inherited');
  assert.deepEqual(node.env, { A: 'one', B: 'two', C: 'yes' });
  assert.deepEqual(masters(c)[0]!.env, { A: 'one', B: '2' });
  assert.equal(masters(c)[0]!.ssh.user, 'ops');
  assert.equal(masters(c)[0]!.ssh.passwd, undefined);
});

test('~ in key paths is left for the SSH engine; a bastion gets its defaults', () => {
  const c = parse(
    clusterfile(`  image: ../rootfs
  ssh:
    pk: ~/.ssh/id_ed25519
    bastion: {host: jump.example.test, passwd: jump-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`),
  );
  assert.equal(c.hosts[0]!.ssh.pk, '~/.ssh/id_ed25519');
  assert.equal(c.ssh.bastion?.host, 'jump.example.test');
  assert.equal(c.ssh.bastion?.port, 22);
  assert.equal(c.ssh.bastion?.user, 'root');
  assert.equal(c.ssh.bastion?.passwd?.reveal(), 'jump-pass');
});

test('a leading ~/ in the image path is the home directory; in key paths the SSH engine expands it', () => {
  const at = (image: string) => parse(clusterfile(BASE_SPEC.replace('image: ../rootfs', `image: ${image}`))).image;
  assert.equal(at('~/images/rootfs-v1.36.3'), path.join(os.homedir(), 'images', 'rootfs-v1.36.3'));
  assert.equal(at('"~"'), os.homedir());
  assert.equal(at('~other/rootfs'), path.join(here, '~other', 'rootfs'), 'only ~ and ~/ mean the home directory');
  assert.equal(at('./rootfs-v1.36.3'), path.join(here, 'rootfs-v1.36.3'));
  const c = parse(clusterfile(BASE_SPEC.replace('passwd: s3cret-pass', 'pk: ~/.ssh/id_ed25519')));
  assert.equal(expandHome(c.hosts[0]!.ssh.pk!), path.join(os.homedir(), '.ssh', 'id_ed25519'));
});

test('secrets from the environment (passwdFromEnv, sudoPasswdFromEnv)', () => {
  const text = clusterfile(`  image: ../rootfs
  ssh: {user: ops, passwdFromEnv: CF_TEST_PASS, sudoPasswdFromEnv: CF_TEST_SUDO}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`);
  const c = parse(text, { CF_TEST_PASS: 'from-env-pass', CF_TEST_SUDO: 'from-env-sudo' });
  assert.equal(c.ssh.passwd?.reveal(), 'from-env-pass');
  assert.equal(c.ssh.sudoPasswd?.reveal(), 'from-env-sudo');
  assert.ok(!('passwdFromEnv' in c.ssh));
  assert.deepEqual(problems(text, { CF_TEST_PASS: 'from-env-pass' }), [
    'bad.yaml:7:68: spec.ssh.sudoPasswdFromEnv: environment variable CF_TEST_SUDO is not set',
  ]);
});

test('no password and no key is fine when an ssh-agent is running', () => {
  const text = clusterfile(`  image: ../rootfs
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
`);
  assert.equal(parse(text, { SSH_AUTH_SOCK: '/tmp/agent.sock' }).ssh.passwd, undefined);
  assert.deepEqual(problems(text), [
    'bad.yaml:8:7: spec.hosts[0]: no SSH credentials: set spec.ssh.pk or spec.ssh.passwd (or run an ssh-agent: SSH_AUTH_SOCK)',
  ]);
});

test('runtime documents are kept verbatim as overrides', () => {
  const c = parse(
    `${clusterfile(BASE_SPEC)}---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
etcd:
  local:
    extraArgs:
      - {name: quota-backend-bytes, value: "4294967296"}
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
maxPods: 200
---
`,
  );
  assert.deepEqual(c.overrides, [
    {
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'ClusterConfiguration',
      body: {
        apiVersion: 'kubeadm.k8s.io/v1beta4',
        kind: 'ClusterConfiguration',
        etcd: { local: { extraArgs: [{ name: 'quota-backend-bytes', value: '4294967296' }] } },
      },
    },
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      body: { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', maxPods: 200 },
    },
  ]);
});

test('YAML anchors and aliases are followed', () => {
  const c = parse(
    clusterfile(`  image: ../rootfs
  ssh: &login {passwd: anchor-pass}
  hosts:
    - {ips: [198.18.0.11], roles: [master], ssh: *login}
`),
  );
  assert.equal(c.hosts[0]!.ssh.passwd?.reveal(), 'anchor-pass');
});

test('the error message counts the problems; details are the lines', () => {
  try {
    parse(clusterfile(`  image: ../rootfs\n  ssh: {port: 0}\n  hosts: []\n`));
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof UserError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, 'good.yaml: invalid Clusterfile (2 problems)');
    assert.deepEqual(e.details, [
      'good.yaml:7:15: spec.ssh.port: must be between 1 and 65535; got 0',
      'good.yaml:8:10: spec.hosts: must not be empty',
    ]);
  }
});

test('every problem of a file is reported together, in file order', () => {
  const lines = problems(`apiVersion: sealts.io/v1
kind: Cluster
metadata: {name: Bad_Name}
spec:
  image: ../rootfs
  runtime: {type: k3s, version: latest}
  ssh: {user: root, prot: 22}
  hosts:
    - {ips: [198.18.0.11, 198.18.0.300], roles: [master]}
    - {ips: [198.18.0.11], roles: [node]}
  network: {podCIDR: 10.96.0.0/16, serviceCIDR: 10.96.0.0/22, dnsDomain: "-bad-"}
  vip: {address: 10.96.0.10, mode: fast}
---
apiVersion: v1
kind: ConfigMap
`);
  assert.deepEqual(lines, [
    'bad.yaml:3:18: metadata.name: expected a DNS label (lowercase letters, digits and "-", at most 63), got "Bad_Name"',
    'bad.yaml:6:19: spec.runtime.type: must be one of kubeadm, k0s; got "k3s"',
    'bad.yaml:6:33: spec.runtime.version: expected a version vMAJOR.MINOR.PATCH (k0s: vMAJOR.MINOR.PATCH+k0s.N), got "latest"',
    'bad.yaml:7:21: spec.ssh: unknown field "prot" (did you mean "port"?)',
    'bad.yaml:9:7: spec.hosts[0]: no SSH credentials: set spec.ssh.pk or spec.ssh.passwd (or run an ssh-agent: SSH_AUTH_SOCK)',
    'bad.yaml:9:27: spec.hosts[0].ips[1]: "198.18.0.300" is not an IPv4 address: octet 300 is out of range 0..255',
    'bad.yaml:10:7: spec.hosts[1]: no SSH credentials: set spec.ssh.pk or spec.ssh.passwd (or run an ssh-agent: SSH_AUTH_SOCK)',
    'bad.yaml:10:14: spec.hosts[1].ips[0]: 198.18.0.11 is already listed at 9:14; a host is either a master or a node, not both',
    'bad.yaml:11:49: spec.network: serviceCIDR 10.96.0.0/22 overlaps podCIDR 10.96.0.0/16',
    'bad.yaml:11:74: spec.network.dnsDomain: expected a DNS name, got "-bad-"',
    'bad.yaml:12:18: spec.vip.address: 10.96.0.10 is inside podCIDR 10.96.0.0/16; choose an address outside the pod and service CIDRs',
    'bad.yaml:12:18: spec.vip.address: 10.96.0.10 is inside serviceCIDR 10.96.0.0/22; choose an address outside the pod and service CIDRs',
    'bad.yaml:12:36: spec.vip.mode: must be one of auto, ipvs, iptables; got "fast"',
    'bad.yaml:15:7: unknown document kind "ConfigMap"; expected Cluster, InitConfiguration, ClusterConfiguration, JoinConfiguration, KubeletConfiguration, KubeProxyConfiguration, ClusterConfig',
  ]);
});

test('loadClusterfile names a missing file', async () => {
  await assert.rejects(loadClusterfile('/nonexistent/Clusterfile'), (e: unknown) => e instanceof UserError && e.message === '/nonexistent/Clusterfile: no such file');
});

test('baseDir: a copy kept elsewhere resolves paths like the original', () => {
  const text = clusterfile(`  image: ../rootfs\n  ssh: {pk: keys/id}\n  hosts:\n    - {ips: [198.18.0.11], roles: [master]}\n`);
  const c = parseClusterfile(text, '/var/state/demo/Clusterfile', { env: {}, baseDir: '/home/me/cluster' });
  assert.equal(c.image, '/home/me/rootfs');
  assert.equal(c.ssh.pk, '/home/me/cluster/keys/id');
  assert.equal(parse(text, {}, '/var/state/demo/Clusterfile').image, '/var/state/rootfs');
});
