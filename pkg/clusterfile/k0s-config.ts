// The k0s ClusterConfig document (k0s.k0sproject.io/v1beta1) a Clusterfile may carry, as k0s
// documents it (docs/configuration.md of k0s v1.36): field names and types, so a misspelt or
// mistyped field is refused at its FILE:LINE:COL before any host is touched, as k0s' strict
// decoding would refuse it on the controller. Parts that k0s passes on to a component whole
// (extension charts, worker profile kubelet values, calico env) are left to k0s: `any`.
import { ipv4Problem } from './ips.js';
import type { FieldSpec, ObjectField, StringField } from './spec.js';

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

const str = (description: string, more: Partial<StringField> = {}): StringField => ({ kind: 'string', description, ...more });
const ip = (description: string): StringField => str(description, { format: 'ipv4', check: ipv4Problem });
const cidr = (description: string): StringField => str(description, { pattern: /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, patternHint: 'a CIDR such as 10.244.0.0/16' });
const port = (description: string): FieldSpec => ({ kind: 'integer', description, min: 1, max: 65535 });
const bool = (description: string): FieldSpec => ({ kind: 'boolean', description });
const any = (description: string): FieldSpec => ({ kind: 'any', description });
const args = (description: string): FieldSpec => ({ kind: 'map', description });
const duration = (description: string): StringField => str(description, { pattern: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/, patternHint: 'a Go duration such as 30s or 1m' });
const obj = (description: string, fields: Record<string, FieldSpec>): ObjectField => ({ kind: 'object', description, fields });

const kubeProxy = obj('kube-proxy settings.', {
  disabled: bool('Run no kube-proxy.'),
  mode: str('Proxy mode.', { enum: ['iptables', 'ipvs', 'nftables', 'userspace'] }),
  metricsBindAddress: str('Metrics listen address.'),
  nodePortAddresses: { kind: 'array', description: 'Addresses NodePorts listen on.', items: str('A CIDR.') },
  iptables: obj('iptables mode settings.', {
    masqueradeAll: bool('Masquerade all traffic.'),
    masqueradeBit: { kind: 'integer', description: 'fwmark bit.', min: 0, max: 31 },
    minSyncPeriod: duration('Minimum sync period.'),
    syncPeriod: duration('Sync period.'),
  }),
  ipvs: obj('IPVS mode settings.', {
    excludeCIDRs: { kind: 'array', description: 'CIDRs IPVS leaves alone.', items: str('A CIDR.') },
    minSyncPeriod: duration('Minimum sync period.'),
    scheduler: str('IPVS scheduler.'),
    strictARP: bool('Strict ARP.'),
    syncPeriod: duration('Sync period.'),
    tcpFinTimeout: duration('TCP FIN timeout.'),
    tcpTimeout: duration('TCP timeout.'),
    udpTimeout: duration('UDP timeout.'),
  }),
});

export const k0sConfigSpec: ObjectField = {
  kind: 'object',
  description: 'k0s ClusterConfig, merged field by field over the one sealts renders.',
  required: ['apiVersion', 'kind'],
  fields: {
    apiVersion: str('k0s.k0sproject.io/v1beta1', { enum: ['k0s.k0sproject.io/v1beta1'] }),
    kind: str('ClusterConfig', { enum: ['ClusterConfig'] }),
    metadata: obj('Object metadata.', { name: str('Config name.', { pattern: DNS_NAME, patternHint: 'a DNS name' }), namespace: str('Namespace.') }),
    spec: obj('What k0s runs.', {
      api: obj('The Kubernetes API server.', {
        address: ip('Address the API binds to (sealts: each controller its own).'),
        externalAddress: str('Address workers and joins use (sealts: the VIP name).', { check: (v) => (DNS_NAME.test(v) || !ipv4Problem(v) ? undefined : 'expected an IP address or a DNS name') }),
        sans: { kind: 'array', description: 'Extra names and IPs of the serving certificate.', items: str('A name or IP.') },
        port: port('API server port (sealts: 6443, which its VIP forwards).'),
        k0sApiPort: port('k0s API port (controller joins).'),
        extraArgs: args('Extra kube-apiserver flags.'),
        onlyBindToAddress: bool('Bind the API only to address.'),
      }),
      storage: obj('The cluster store.', {
        type: str('Store type.', { enum: ['etcd', 'kine'] }),
        etcd: obj('Managed etcd.', {
          peerAddress: ip('Peer address (sealts: each controller its own).'),
          extraArgs: args('Extra etcd flags.'),
          externalCluster: obj('An etcd k0s does not manage.', {
            endpoints: { kind: 'array', description: 'Endpoints.', items: str('A URL.') },
            etcdPrefix: str('Key prefix.'),
            caFile: str('CA file.'),
            clientCertFile: str('Client certificate file.'),
            clientKeyFile: str('Client key file.'),
          }),
        }),
        kine: obj('kine.', { dataSource: str('kine data source URL.') }),
      }),
      network: obj('Cluster networking.', {
        provider: str('Network provider (sealts-bridge: custom).', { enum: ['kuberouter', 'calico', 'custom'] }),
        podCIDR: cidr('Pod CIDR.'),
        serviceCIDR: cidr('Service CIDR.'),
        clusterDomain: str('Cluster DNS domain.', { pattern: DNS_NAME, patternHint: 'a DNS name' }),
        kubeProxy,
        kuberouter: any('kube-router settings (checked by k0s).'),
        calico: any('Calico settings (checked by k0s).'),
        dualStack: any('Dual-stack settings (checked by k0s).'),
        nodeLocalLoadBalancing: any('Node-local load balancing (checked by k0s).'),
        controlPlaneLoadBalancing: any('Control plane load balancing (checked by k0s).'),
        coreDNS: any('CoreDNS settings (checked by k0s).'),
        primaryAddressFamily: str('IPv4 or IPv6.', { enum: ['IPv4', 'IPv6'] }),
      }),
      controllerManager: obj('kube-controller-manager.', { extraArgs: args('Extra flags.') }),
      scheduler: obj('kube-scheduler.', { extraArgs: args('Extra flags.') }),
      workerProfiles: { kind: 'array', description: 'Worker profiles.', items: obj('A profile.', { name: str('Profile name.'), values: any('KubeletConfiguration overrides.') }) },
      installConfig: obj('Install settings.', {
        users: obj('System users.', {
          etcdUser: str('etcd user.'),
          kineUser: str('kine user.'),
          konnectivityUser: str('konnectivity user.'),
          kubeAPIserverUser: str('kube-apiserver user.'),
          kubeSchedulerUser: str('kube-scheduler user.'),
        }),
      }),
      konnectivity: obj('konnectivity.', { agentPort: port('Agent port.'), adminPort: port('Admin port.'), externalAddress: str('Address agents connect to.') }),
      metricsServer: any('metrics-server settings (checked by k0s).'),
      telemetry: obj('Telemetry.', { enabled: bool('Send telemetry.') }),
      images: any('Image overrides (checked by k0s).'),
      extensions: any('Helm charts and extensions (checked by k0s).'),
      featureGates: { kind: 'array', description: 'Feature gates.', items: any('A feature gate.') },
    }),
  },
};
