// sealer (`sealer.io/v2`, also `sealer.cloud/v2`) and sealos (`apps.sealos.io/v1beta1`) Cluster
// documents, so their users can bring their Clusterfiles unchanged. Each has its own field table,
// checked by the same walker; the result is turned into the sealts shape and then validated and
// defaulted exactly like a native document.
//
// What is mapped: metadata.name, spec.image (sealos: a list, the first entry is the rootfs and its
// tag gives the Kubernetes version), spec.ssh, spec.hosts[] (ips may be `ip:port`; roles other than
// master/node, such as sealos' `amd64` or sealer's custom labels, are ignored), spec.env (`KEY=value`
// lists). Fields sealts cannot honour (sealer cmd/appNames/taints, sealos pkData/command) are
// reported as unknown fields rather than silently dropped. The runtime is kubeadm.
import { object, type FieldSpec, type ObjectField } from './spec.js';

export const SEALER_API_VERSIONS = ['sealer.io/v2', 'sealer.cloud/v2'] as const;
export const SEALOS_API_VERSION = 'apps.sealos.io/v1beta1';

const envList: FieldSpec = {
  kind: 'array',
  description: 'KEY=value entries.',
  // sealer's own examples use keys like etcd-dir (template variables), so '-' and '.' are allowed.
  items: { kind: 'string', description: 'KEY=value', pattern: /^[A-Za-z_][A-Za-z0-9_.-]*=/, patternHint: 'KEY=value' },
};

const secret = (description: string): FieldSpec => ({ kind: 'string', description, secret: true });

function foreignSsh(withPkName: boolean): ObjectField {
  return object('SSH settings.', {
    user: { kind: 'string', description: 'Login user.' },
    passwd: secret('Login password.'),
    pk: { kind: 'string', description: 'Private key file.' },
    pkPasswd: secret('Key passphrase.'),
    port: { kind: 'integer', description: 'SSH port.', min: 1, max: 65535, numericString: true },
    ...(withPkName ? { pkName: { kind: 'string', description: 'Key name (unused by sealts).' } as FieldSpec } : {}),
  });
}

function foreignDoc(apiVersion: readonly string[], image: FieldSpec, withPkName: boolean, extra: Record<string, FieldSpec>): ObjectField {
  const ssh = foreignSsh(withPkName);
  return object(
    'A foreign Cluster document.',
    {
      apiVersion: { kind: 'string', description: 'apiVersion', enum: apiVersion },
      kind: { kind: 'string', description: 'kind', enum: ['Cluster'] },
      metadata: object(
        'metadata',
        {
          name: {
            kind: 'string',
            description: 'Cluster name.',
            pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
            patternHint: 'a DNS label (lowercase letters, digits and "-", at most 63)',
          },
          creationTimestamp: { kind: 'string', description: 'Ignored.' },
          labels: { kind: 'map', description: 'Ignored.' },
          annotations: { kind: 'map', description: 'Ignored.' },
        },
        ['name'],
      ),
      spec: object(
        'spec',
        {
          image,
          env: envList,
          ssh,
          hosts: {
            kind: 'array',
            description: 'Host groups.',
            minItems: 1,
            items: object(
              'A host group.',
              {
                ips: {
                  kind: 'array',
                  description: 'Addresses.',
                  minItems: 1,
                  items: { kind: 'string', description: 'ip or ip:port', pattern: /^[0-9.:,\s-]+$/, patternHint: 'an IPv4 address, ip:port or a range' },
                },
                roles: { kind: 'array', description: 'Roles.', minItems: 1, items: { kind: 'string', description: 'A role.' } },
                ssh,
                env: envList,
              },
              ['ips', 'roles'],
            ),
          },
        },
        ['image', 'hosts'],
      ),
      ...extra,
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  );
}

export const sealerClusterSpec = foreignDoc(SEALER_API_VERSIONS, { kind: 'string', description: 'The cluster image.' }, false, {});

export const sealosClusterSpec = foreignDoc(
  [SEALOS_API_VERSION],
  { kind: 'array', description: 'Cluster images; the first is the rootfs.', minItems: 1, items: { kind: 'string', description: 'An image.' } },
  true,
  { status: { kind: 'map', description: 'Ignored (written by sealos).' } },
);

/** `KEY=value` list -> map; a repeated key collects its values space-separated, as sealer does. */
export function envListToMap(list: unknown): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const entry of list) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    const [k, v] = [entry.slice(0, eq), entry.slice(eq + 1)];
    out[k] = k in out ? `${out[k]} ${v}` : v;
  }
  return out;
}

/** The Kubernetes version in an image reference's tag (`labring/kubernetes:v1.25.0`), if any. */
export function versionFromImage(image: string): string | undefined {
  return /:(v\d+\.\d+\.\d+)$/.exec(image)?.[1];
}

type Plain = Record<string, unknown>;

/** Checked sealer/sealos data -> the sealts document shape (before sealts defaults/semantics). */
export function toSealtsShape(data: Plain, warnings: string[]): Plain {
  const spec = (data.spec ?? {}) as Plain;
  const images = Array.isArray(spec.image) ? (spec.image as string[]) : typeof spec.image === 'string' ? [spec.image] : [];
  if (images.length > 1) {
    warnings.push(`spec.image: sealts installs one rootfs image; using ${images[0]} and ignoring ${images.slice(1).join(', ')}`);
  }
  const version = images[0] ? versionFromImage(images[0]) : undefined;
  const hosts = Array.isArray(spec.hosts) ? (spec.hosts as (Plain | undefined)[]) : [];
  return {
    metadata: data.metadata,
    spec: {
      image: images[0],
      runtime: { type: 'kubeadm', ...(version ? { version } : {}) },
      ssh: spec.ssh ?? {},
      hosts: hosts.map((h) =>
        h === undefined
          ? undefined
          : {
              ips: h.ips,
              roles: h.roles, // only master and node matter; the rest are ignored when building
              ssh: h.ssh,
              env: envListToMap(h.env),
            },
      ),
      env: envListToMap(spec.env) ?? {},
    },
  };
}
