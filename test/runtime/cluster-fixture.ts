// A small typed Cluster built in code, for unit tests that need one (no Clusterfile parsing involved).
import type { Cluster, HostSpec, Role } from '../../pkg/clusterfile/types.js';

export function hostSpec(ip: string, roles: Role[]): HostSpec {
  return { ip, roles, ssh: { user: 'root', port: 22 }, env: {} };
}

export function testCluster(over: Partial<Cluster> = {}): Cluster {
  return {
    name: 'demo',
    image: '/tmp/rootfs',
    runtime: { type: 'kubeadm', version: 'v1.32.8' },
    ssh: { user: 'root', port: 22 },
    hosts: [hostSpec('198.18.40.11', ['master']), hostSpec('198.18.40.12', ['master']), hostSpec('198.18.40.21', ['node'])],
    network: { podCIDR: '100.64.0.0/10', serviceCIDR: '10.96.0.0/22', dnsDomain: 'cluster.local', plugin: 'sealts-bridge' },
    vip: { address: '10.103.97.2', mode: 'auto' },
    pki: { caValidityDays: 3650, leafValidityDays: 365, keyAlgorithm: 'RSA-2048', certSANs: ['k8s.example.com'] },
    env: {},
    overrides: [],
    source: 'Clusterfile',
    ...over,
  };
}
