import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { Secret } from '../../pkg/secret/secret.js';
import { UserError } from '../../pkg/errors/errors.js';
import { apiServerCertSANs, initDocuments, joinDocuments, toYaml, type KubeadmInput } from '../../pkg/runtime/kubeadm/config.js';
import { kubeadmApiVersion, parseKubeVersion } from '../../pkg/runtime/kubeadm/version.js';
import { testCluster } from './cluster-fixture.js';

const token = new Secret('abcdef.0123456789abcdef');
const certKey = new Secret('a'.repeat(64));
const caHash = `sha256:${'b'.repeat(64)}`;

function input(over: Partial<KubeadmInput> = {}): KubeadmInput {
  const cluster = over.cluster ?? testCluster();
  return { cluster, host: cluster.hosts[0]!, nodeName: 'host-11', proxyMode: 'ipvs', token, ...over };
}

function byKind(docs: Record<string, unknown>[], kind: string): Record<string, any> {
  const d = docs.find((x) => x.kind === kind);
  assert.ok(d, `no ${kind} document`);
  return d as Record<string, any>;
}

test('API version follows the Kubernetes version', () => {
  assert.equal(kubeadmApiVersion(parseKubeVersion('v1.30.5')), 'kubeadm.k8s.io/v1beta3');
  assert.equal(kubeadmApiVersion(parseKubeVersion('1.22.0')), 'kubeadm.k8s.io/v1beta3');
  assert.equal(kubeadmApiVersion(parseKubeVersion('v1.31.0')), 'kubeadm.k8s.io/v1beta4');
  assert.throws(() => kubeadmApiVersion(parseKubeVersion('v1.21.9')), UserError);
  assert.throws(() => parseKubeVersion('latest'), /expected vMAJOR.MINOR.PATCH/);
});

test('init documents for v1.32 (v1beta4): endpoint, network, SANs, token, list-form extraArgs', () => {
  const docs = initDocuments(input());
  assert.deepEqual(docs.map((d) => d.kind), ['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration']);
  const init = byKind(docs, 'InitConfiguration');
  assert.equal(init.apiVersion, 'kubeadm.k8s.io/v1beta4');
  assert.deepEqual(init.localAPIEndpoint, { advertiseAddress: '198.18.40.11', bindPort: 6443 });
  assert.equal(init.nodeRegistration.name, 'host-11');
  assert.equal(init.nodeRegistration.criSocket, 'unix:///run/containerd/containerd.sock');
  assert.deepEqual(init.nodeRegistration.kubeletExtraArgs, [{ name: 'node-ip', value: '198.18.40.11' }]);
  assert.equal(init.bootstrapTokens[0].token, 'abcdef.0123456789abcdef');
  const cc = byKind(docs, 'ClusterConfiguration');
  assert.equal(cc.kubernetesVersion, 'v1.32.8');
  assert.equal(cc.controlPlaneEndpoint, 'apiserver.cluster.local:6443');
  assert.equal(cc.certificatesDir, '/etc/kubernetes/pki');
  assert.deepEqual(cc.networking, { podSubnet: '100.64.0.0/10', serviceSubnet: '10.96.0.0/22', dnsDomain: 'cluster.local' });
  assert.deepEqual(cc.apiServer.certSANs, ['127.0.0.1', 'apiserver.cluster.local', '10.103.97.2', '198.18.40.11', '198.18.40.12', 'k8s.example.com']);
  assert.deepEqual(cc.etcd, { local: { dataDir: '/var/lib/etcd' } });
  assert.deepEqual(cc.controllerManager.extraArgs, [{ name: 'bind-address', value: '0.0.0.0' }]);
  assert.equal(cc.encryptionAlgorithm, 'RSA-2048');
  assert.equal(byKind(docs, 'KubeletConfiguration').cgroupDriver, 'systemd');
  const kp = byKind(docs, 'KubeProxyConfiguration');
  assert.equal(kp.mode, 'ipvs');
  assert.deepEqual(kp.ipvs.excludeCIDRs, ['10.103.97.2/32']);
});

test('v1.30 (v1beta3): map-form extraArgs, no encryptionAlgorithm', () => {
  const docs = initDocuments(input({ cluster: testCluster({ runtime: { type: 'kubeadm', version: 'v1.30.2' } }) }));
  const cc = byKind(docs, 'ClusterConfiguration');
  assert.equal(cc.apiVersion, 'kubeadm.k8s.io/v1beta3');
  assert.deepEqual(cc.controllerManager.extraArgs, { 'bind-address': '0.0.0.0' });
  assert.equal(cc.encryptionAlgorithm, undefined);
  assert.deepEqual(byKind(docs, 'InitConfiguration').nodeRegistration.kubeletExtraArgs, { 'node-ip': '198.18.40.11' });
});

test('iptables proxy mode has no ipvs section; no token means no bootstrapTokens', () => {
  const docs = initDocuments(input({ proxyMode: 'iptables', token: undefined }));
  const kp = byKind(docs, 'KubeProxyConfiguration');
  assert.equal(kp.mode, 'iptables');
  assert.equal(kp.ipvs, undefined);
  assert.equal(byKind(docs, 'InitConfiguration').bootstrapTokens, undefined);
});

test('overrides merge field by field: user wins, lists replaced, extraArgs merged per name in either form', () => {
  const cluster = testCluster({
    overrides: [
      {
        apiVersion: 'kubeadm.k8s.io/v1beta3',
        kind: 'ClusterConfiguration',
        body: {
          apiVersion: 'kubeadm.k8s.io/v1beta3',
          kind: 'ClusterConfiguration',
          imageRepository: 'registry.example.com/k8s',
          networking: { podSubnet: '10.244.0.0/16' },
          apiServer: { certSANs: ['only.example.com'], extraArgs: { 'audit-log-maxage': '7' } },
          controllerManager: { extraArgs: [{ name: 'bind-address', value: '127.0.0.1' }] },
        },
      },
      { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', body: { maxPods: 200 } },
    ],
  });
  const docs = initDocuments(input({ cluster }));
  const cc = byKind(docs, 'ClusterConfiguration');
  assert.equal(cc.apiVersion, 'kubeadm.k8s.io/v1beta4', 'our apiVersion is kept');
  assert.equal(cc.imageRepository, 'registry.example.com/k8s');
  assert.deepEqual(cc.networking, { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/22', dnsDomain: 'cluster.local' });
  assert.deepEqual(cc.apiServer.certSANs, ['only.example.com']);
  assert.deepEqual(cc.apiServer.extraArgs, [{ name: 'audit-log-maxage', value: '7' }]);
  assert.deepEqual(cc.controllerManager.extraArgs, [{ name: 'bind-address', value: '127.0.0.1' }]);
  const kl = byKind(docs, 'KubeletConfiguration');
  assert.equal(kl.maxPods, 200);
  assert.equal(kl.cgroupDriver, 'systemd');
});

test('an override of an unknown kind is refused naming the file', () => {
  const cluster = testCluster({ overrides: [{ apiVersion: 'v1', kind: 'ConfigMap', body: {} }] });
  assert.throws(() => initDocuments(input({ cluster })), /Clusterfile: override document kind "ConfigMap"/);
});

test('join documents: worker and control plane', () => {
  const cluster = testCluster();
  const node = joinDocuments(input({ cluster, host: cluster.hosts[2]!, nodeName: 'host-21', caCertHash: caHash }), false);
  assert.equal(node.length, 1);
  const j = node[0] as Record<string, any>;
  assert.equal(j.kind, 'JoinConfiguration');
  assert.deepEqual(j.discovery.bootstrapToken, { apiServerEndpoint: 'apiserver.cluster.local:6443', token: 'abcdef.0123456789abcdef', caCertHashes: [caHash] });
  assert.equal(j.controlPlane, undefined);
  assert.equal(j.nodeRegistration.name, 'host-21');
  const cp = joinDocuments(input({ cluster, host: cluster.hosts[1]!, nodeName: 'host-12', caCertHash: caHash, certificateKey: certKey }), true)[0] as Record<string, any>;
  assert.deepEqual(cp.controlPlane, { localAPIEndpoint: { advertiseAddress: '198.18.40.12', bindPort: 6443 }, certificateKey: 'a'.repeat(64) });
  assert.throws(() => joinDocuments(input({ cluster, caCertHash: caHash }), true), /certificateKey/);
});

test('toYaml round-trips through the yaml parser as separate documents', () => {
  const text = toYaml(initDocuments(input()));
  const parsed = parseAllDocuments(text).map((d) => d.toJS());
  assert.equal(parsed.length, 4);
  assert.equal(parsed[1].controlPlaneEndpoint, 'apiserver.cluster.local:6443');
});

test('apiServerCertSANs has no duplicates', () => {
  const c = testCluster({ pki: { caValidityDays: 1, leafValidityDays: 1, keyAlgorithm: 'RSA-2048', certSANs: ['198.18.40.11', '127.0.0.1'] } });
  const sans = apiServerCertSANs(c);
  assert.equal(new Set(sans).size, sans.length);
});
