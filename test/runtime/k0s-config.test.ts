// The k0s runtime's pure parts: each controller's ClusterConfig (its own address and etcd peer
// address, the VIP's name, every master's names in the SANs, the Cluster's network) with the
// Clusterfile's ClusterConfig merged over it; the API port a user sets reaching the VIP; and join
// tokens read back only for their ID, never echoed in an error.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { apiPortOf, controllerConfig } from '../../pkg/runtime/k0s/config.js';
import { tokenId } from '../../pkg/runtime/k0s/tokens.js';
import { Secret } from '../../pkg/secret/secret.js';
import { hostSpec, testCluster } from './cluster-fixture.js';

const cluster = testCluster({ runtime: { type: 'k0s', version: 'v1.36.3+k0s.0' }, vip: { address: '198.18.40.200', mode: 'iptables' } });
const [m0, m1] = cluster.hosts;
const names = ['m0', 'm1'];

test('each controller renders its own address and etcd peer address; SANs name every master, the VIP and its name', () => {
  const a = controllerConfig({ cluster, host: m0!, masterNames: names, proxyMode: 'iptables' }) as { spec: Record<string, Record<string, unknown>> };
  const b = controllerConfig({ cluster, host: m1!, masterNames: names, proxyMode: 'ipvs' }) as { spec: Record<string, Record<string, unknown>> };
  assert.equal(a.spec.api!.address, '198.18.40.11');
  assert.equal(b.spec.api!.address, '198.18.40.12');
  assert.deepEqual(a.spec.storage, { type: 'etcd', etcd: { peerAddress: '198.18.40.11' } });
  assert.deepEqual(b.spec.storage, { type: 'etcd', etcd: { peerAddress: '198.18.40.12' } });
  assert.equal(a.spec.api!.externalAddress, 'apiserver.cluster.local');
  assert.deepEqual(a.spec.api!.sans, ['apiserver.cluster.local', 'm0', 'm1', '198.18.40.11', '198.18.40.12', '198.18.40.200', 'k8s.example.com']);
  assert.deepEqual(a.spec.network, { provider: 'custom', podCIDR: '100.64.0.0/10', serviceCIDR: '10.96.0.0/22', clusterDomain: 'cluster.local', kubeProxy: { mode: 'iptables' } });
  assert.deepEqual((b.spec.network as { kubeProxy: unknown }).kubeProxy, { mode: 'ipvs' });
});

test("the Clusterfile's ClusterConfig merges field by field: maps per key, its scalars and lists win", () => {
  const over = testCluster({
    ...cluster,
    overrides: [{ apiVersion: 'k0s.k0sproject.io/v1beta1', kind: 'ClusterConfig', body: { apiVersion: 'k0s.k0sproject.io/v1beta1', kind: 'ClusterConfig', spec: { api: { port: 7443, sans: ['only.example'], extraArgs: { v: '2' } }, network: { kubeProxy: { disabled: true } } } } }],
  });
  const c = controllerConfig({ cluster: over, host: m0!, masterNames: names, proxyMode: 'iptables' }) as { spec: Record<string, Record<string, unknown>> };
  assert.equal(c.spec.api!.address, '198.18.40.11', 'ours kept');
  assert.equal(c.spec.api!.port, 7443);
  assert.deepEqual(c.spec.api!.sans, ['only.example'], 'a list replaces ours whole');
  assert.deepEqual(c.spec.api!.extraArgs, { v: '2' });
  assert.deepEqual((c.spec.network as { kubeProxy: unknown }).kubeProxy, { mode: 'iptables', disabled: true });
  assert.equal(apiPortOf(over), 7443, 'the VIP forwards the port the user set');
  assert.equal(apiPortOf(cluster), 6443);
});

test('a token is read back for its ID only; a malformed one is refused without its text', () => {
  const kubeconfig = stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'k0s', cluster: { server: 'https://apiserver.cluster.local:6443' } }], users: [{ name: 'kubelet-bootstrap', user: { token: 'abc123.0123456789abcdef' } }] });
  assert.equal(tokenId(new Secret(gzipSync(kubeconfig).toString('base64'))), 'abc123');
  const bad = 'not-a-token-but-a-secret-text';
  assert.throws(() => tokenId(new Secret(bad), '198.18.40.11'), (e: Error) => !e.message.includes(bad) && /198\.18\.40\.11.*not a k0s join token/.test(e.message));
});

test('a controller that is also a node runs a worker; ports follow the roles', async () => {
  const { requiredPorts } = await import('../../pkg/runtime/k0s/paths.js');
  assert.ok(requiredPorts(hostSpec('198.18.40.11', ['master', 'node']).roles).includes(10250));
  assert.ok(!requiredPorts(['master']).includes(10250));
  assert.deepEqual(requiredPorts(['node']), [10250]);
});
