// The defaulted Cluster as a sealts Clusterfile (what `sealts plan -o yaml` prints and what a
// sealer/sealos file converts to). Hosts are regrouped: consecutive hosts with the same roles,
// SSH overrides and env share a group; a host whose port differs is written `ip:port`.
// Secrets print as "[redacted]" unless revealSecrets is set (only for files kept 0600).
import { Document } from 'yaml';
import { isSecret, type Secret } from '../secret/secret.js';
import { REDACTED } from './check.js';
import { API_VERSION, KIND } from './fields.js';
import type { BastionConfig, Cluster, HostSpec, SshConfig } from './types.js';

export interface RenderOptions {
  /** Write real secret values (for the 0600 state copy); default: "[redacted]". */
  revealSecrets?: boolean;
}

type Plain = Record<string, unknown>;
const SSH_FIELDS = ['user', 'passwd', 'pk', 'pkPasswd', 'sudoPasswd', 'bastion'] as const;

export function renderClusterfile(c: Cluster, options: RenderOptions = {}): string {
  const show = (v: unknown): unknown => plain(v, options.revealSecrets ?? false);
  const cluster = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: c.name },
    spec: {
      image: c.image,
      runtime: { ...c.runtime },
      ssh: show(c.ssh),
      hosts: groupHosts(c).map((g) => show(g)),
      network: { ...c.network },
      vip: { ...c.vip },
      pki: { ...c.pki, certSANs: [...c.pki.certSANs] },
      env: { ...c.env },
    },
  };
  const docs = [cluster, ...c.overrides.map((o) => o.body)];
  return docs.map((d) => new Document(d).toString({ lineWidth: 0 })).join('---\n');
}

/** Secrets -> text or the placeholder; drops undefined fields so the YAML stays clean. */
function plain(v: unknown, reveal: boolean): unknown {
  if (isSecret(v)) return reveal ? v.reveal() : REDACTED;
  if (Array.isArray(v)) return v.map((x) => plain(x, reveal));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, plain(x, reveal)]));
  }
  return v;
}

function secretEqual(a: Secret | undefined, b: Secret | undefined): boolean {
  return a?.reveal() === b?.reveal();
}

function sameField(a: SshConfig, b: SshConfig, k: (typeof SSH_FIELDS)[number]): boolean {
  const [x, y] = [a[k], b[k]];
  if (isSecret(x) || isSecret(y)) return secretEqual(x as Secret | undefined, y as Secret | undefined);
  if (k === 'bastion') return bastionKey(x as BastionConfig | undefined) === bastionKey(y as BastionConfig | undefined);
  return x === y;
}

function bastionKey(b: BastionConfig | undefined): string {
  return JSON.stringify(plain(b, true) ?? null);
}

/** The host's SSH fields that differ from the cluster's (its port is written with the address). */
function sshOverrides(c: Cluster, h: HostSpec): Plain {
  const out: Plain = {};
  for (const k of SSH_FIELDS) if (!sameField(c.ssh, h.ssh, k)) out[k] = h.ssh[k];
  return out;
}

function envOverrides(c: Cluster, h: HostSpec): Record<string, string> {
  return Object.fromEntries(Object.entries(h.env).filter(([k, v]) => c.env[k] !== v));
}

interface Group {
  ips: string[];
  roles: string[];
  ssh?: Plain;
  env?: Record<string, string>;
}

function groupHosts(c: Cluster): Group[] {
  const groups: Group[] = [];
  let lastKey = '';
  for (const h of c.hosts) {
    const ssh = sshOverrides(c, h);
    const env = envOverrides(c, h);
    const key = JSON.stringify([h.roles, plain(ssh, true), env]);
    const ip = h.ssh.port === c.ssh.port ? h.ip : `${h.ip}:${h.ssh.port}`;
    const last = groups[groups.length - 1];
    if (last && key === lastKey) {
      last.ips.push(ip);
      continue;
    }
    groups.push({
      ips: [ip],
      roles: [...h.roles],
      ...(Object.keys(ssh).length ? { ssh } : {}),
      ...(Object.keys(env).length ? { env } : {}),
    });
    lastKey = key;
  }
  return groups;
}

