// The sealts Cluster document, field by field. THE one place for its shape and its defaults:
// the validator, the defaults and the JSON Schema (schema/cluster.schema.json) all come from here.
import { ipv4Problem } from './ips.js';
import { DEFAULT_KUBERNETES_VERSION } from '../versions/index.js';
import { object, withoutDefaults, type FieldSpec, type ObjectField, type StringField } from './spec.js';

export const API_VERSION = 'sealts.io/v1';
export const KIND = 'Cluster';

/** The Kubernetes version deployed when `spec.runtime.version` is absent, per runtime. */
export const DEFAULT_VERSIONS = { kubeadm: DEFAULT_KUBERNETES_VERSION, k0s: `${DEFAULT_KUBERNETES_VERSION}+k0s.0` } as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

const ipv4 = (description: string, dflt?: string): StringField => ({
  kind: 'string',
  description,
  format: 'ipv4',
  check: ipv4Problem,
  ...(dflt ? { default: dflt } : {}),
});

const cidr = (description: string, dflt: string): StringField => ({
  kind: 'string',
  description,
  default: dflt,
  pattern: CIDR,
  patternHint: 'a CIDR a.b.c.d/n',
});

const secret = (description: string): StringField => ({ kind: 'string', description, secret: true });

const port = (description: string, dflt?: number): FieldSpec => ({
  kind: 'integer',
  description,
  min: 1,
  max: 65535,
  ...(dflt ? { default: dflt } : {}),
});

const keyPath: StringField = {
  kind: 'string',
  description: 'Path to a private key file, relative to this file (~ is your home).',
};

const bastion = object(
  'Reach the hosts through this SSH jump host.',
  {
    host: {
      kind: 'string',
      description: 'Address or DNS name of the bastion.',
      pattern: /^[A-Za-z0-9.-]+$/,
      patternHint: 'an IPv4 address or a DNS name',
    },
    port: port('SSH port of the bastion.', 22),
    user: { kind: 'string', description: 'User on the bastion.', default: 'root' },
    passwd: secret('Password of the bastion user.'),
    pk: keyPath,
    pkPasswd: secret('Passphrase of the bastion key.'),
  },
  ['host'],
);

export const sshSpec: ObjectField = object('How sealts logs in to the hosts.', {
  user: { kind: 'string', description: 'Login user; a non-root user needs sudo.', default: 'root', pattern: /^[A-Za-z_][A-Za-z0-9_.-]*$/, patternHint: 'a user name' },
  passwd: secret('Login password.'),
  pk: keyPath,
  pkPasswd: secret('Passphrase of the private key.'),
  port: port('SSH port (a host written as ip:port overrides it).', 22),
  sudoPasswd: secret('Password sudo asks for when user is not root.'),
  bastion,
});

/** Per-group SSH: no defaults (an absent field keeps the cluster's value), but a bastion is whole. */
function groupSsh(): ObjectField {
  const plain = withoutDefaults(sshSpec);
  return { ...plain, description: 'SSH settings for this group; each field overrides spec.ssh.', fields: { ...plain.fields, bastion } };
}

export const envSpec: FieldSpec = {
  kind: 'map',
  description: 'Environment variables for the scripts run on the hosts.',
  // '-' and '.' too: sealer's files use keys such as etcd-dir (passed with env(1), not `export`).
  keyPattern: /^[A-Za-z_][A-Za-z0-9_.-]*$/,
  keyHint: 'a variable name (letters, digits, "_", "." and "-")',
};

export const hostGroupSpec = object(
  'A group of hosts sharing roles and settings.',
  {
    ips: {
      kind: 'array',
      description: 'Addresses: "a.b.c.d", "a.b.c.d:port" or a range "a.b.c.d-e" / "a.b.c.d-a.b.c.e".',
      minItems: 1,
      items: { kind: 'string', description: 'One address, ip:port or range.', pattern: /^[0-9.:,\s-]+$/, patternHint: 'an IPv4 address, ip:port or a range' },
    },
    roles: {
      kind: 'array',
      description: 'master (control plane) or node (worker).',
      minItems: 1,
      items: { kind: 'string', description: 'A role.', enum: ['master', 'node'] },
    },
    ssh: groupSsh(),
    env: { ...envSpec, description: 'Environment for this group, merged over spec.env.' },
  },
  ['ips', 'roles'],
);

export const clusterSpec: ObjectField = object(
  'A sealts Cluster: the hosts, how to reach them and what to install.',
  {
    apiVersion: { kind: 'string', description: 'Always sealts.io/v1.', enum: [API_VERSION] },
    kind: { kind: 'string', description: 'Always Cluster.', enum: [KIND] },
    metadata: object(
      'Identity of the cluster.',
      {
        name: {
          kind: 'string',
          description: 'Cluster name (a DNS label); local state lives in ~/.sealts/<name>.',
          pattern: DNS_LABEL,
          patternHint: 'a DNS label (lowercase letters, digits and "-", at most 63)',
        },
      },
      ['name'],
    ),
    spec: object(
      'What the cluster is made of.',
      {
        image: {
          kind: 'string',
          description: 'The rootfs image: a directory or a .tar.gz, relative to this file.',
          pattern: /\S/,
          patternHint: 'a path',
        },
        runtime: object('The Kubernetes distribution.', {
          type: { kind: 'string', description: 'kubeadm or k0s.', enum: ['kubeadm', 'k0s'], default: 'kubeadm' },
          version: {
            kind: 'string',
            description: `Kubernetes version, e.g. ${DEFAULT_VERSIONS.kubeadm} (k0s: ${DEFAULT_VERSIONS.k0s}); defaults to those.`,
            pattern: /^v\d+\.\d+\.\d+(\+k0s\.\d+)?$/,
            patternHint: 'a version vMAJOR.MINOR.PATCH (k0s: vMAJOR.MINOR.PATCH+k0s.N)',
          },
        }),
        ssh: sshSpec,
        hosts: { kind: 'array', description: 'The hosts, in groups; the first master initialises the cluster.', minItems: 1, items: hostGroupSpec },
        network: object('Cluster networking.', {
          podCIDR: cidr('Addresses for pods.', '100.64.0.0/10'),
          // sealos' /22: the default VIP 10.103.97.2 must stay outside the service range.
          serviceCIDR: cidr('Addresses for services.', '10.96.0.0/22'),
          dnsDomain: {
            kind: 'string',
            description: 'Cluster DNS domain.',
            default: 'cluster.local',
            pattern: DNS_NAME,
            patternHint: 'a DNS name',
          },
          plugin: {
            kind: 'string',
            description:
              'Pod network: sealts-bridge (a bridge per host with the node\'s pod range, routes between the hosts kept by sealts; hosts must share one L2 network) or none (bring your own CNI).',
            enum: ['sealts-bridge', 'none'],
            default: 'sealts-bridge',
          },
        }),
        vip: object('The virtual address every node uses to reach the apiservers.', {
          address: ipv4('The VIP; outside the pod and service CIDRs and not a host address.', '10.103.97.2'),
          mode: { kind: 'string', description: 'How nodes balance the VIP to the masters.', enum: ['auto', 'ipvs', 'iptables'], default: 'auto' },
        }),
        pki: object('Certificates sealts generates.', {
          caValidityDays: { kind: 'integer', description: 'Lifetime of the CAs in days.', min: 1, max: 36500, default: 3650 },
          leafValidityDays: { kind: 'integer', description: 'Lifetime of the other certificates in days.', min: 1, max: 36500, default: 365 },
          keyAlgorithm: {
            kind: 'string',
            description: 'Key type of every certificate.',
            enum: ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256'],
            default: 'RSA-2048',
          },
          certSANs: {
            kind: 'array',
            description: 'Extra DNS names and IPs for the apiserver certificate.',
            default: [],
            items: { kind: 'string', description: 'A DNS name or an IPv4 address.', pattern: /^[A-Za-z0-9.*-]+$/, patternHint: 'a DNS name or an IPv4 address' },
          },
        }),
        env: envSpec,
      },
      ['image', 'hosts'],
    ),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);
