// Shared by the pki tests: a defaulted Cluster built in code, openssl as the independent checker.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Cluster, HostSpec, PkiSpec } from '../../pkg/clusterfile/types.js';

const run = promisify(execFile);

export function testCluster(opts: { masters: string[]; nodes?: string[]; version?: string; pki?: Partial<PkiSpec>; vip?: string }): Cluster {
  const ssh = { user: 'root', port: 22 };
  const host = (ip: string, role: 'master' | 'node'): HostSpec => ({ ip, roles: [role], ssh, env: {} });
  return {
    name: 'test',
    image: 'rootfs',
    runtime: { type: 'kubeadm', version: opts.version ?? 'v1.32.8' },
    ssh,
    hosts: [...opts.masters.map((ip) => host(ip, 'master')), ...(opts.nodes ?? []).map((ip) => host(ip, 'node'))],
    network: { podCIDR: '100.64.0.0/10', serviceCIDR: '10.96.0.0/22', dnsDomain: 'cluster.local', plugin: 'sealts-bridge' },
    vip: { address: opts.vip ?? '10.103.97.2', mode: 'auto' },
    pki: { caValidityDays: 3650, leafValidityDays: 365, keyAlgorithm: 'RSA-2048', certSANs: [], ...opts.pki },
    env: {},
    overrides: [],
  };
}

export const hostsOf = (ips: string[], prefix = 'host') => ips.map((ip) => ({ ip, hostname: `${prefix}-${ip.split('.').pop()}` }));

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sealts-pki-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Runs openssl; resolves stdout, rejects with stderr. */
export async function openssl(args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run('openssl', args)).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    child.stdin!.end(input);
  });
}

export async function kubectl(args: string[]): Promise<string> {
  return (await run('kubectl', args)).stdout;
}

/** `openssl x509 -text` parsed into the fields the tests assert. */
export interface CertText {
  subject: string;
  issuer: string;
  serial: string;
  keyUsage: string[];
  keyUsageCritical: boolean;
  extKeyUsage: string[];
  basicConstraints: string;
  ski: string;
  aki: string;
  dns: string[];
  ips: string[];
  signatureAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
}

export async function certText(path: string): Promise<CertText> {
  const text = await openssl(['x509', '-in', path, '-noout', '-text', '-nameopt', 'RFC2253']);
  const after = (label: string) => {
    const m = new RegExp(`${label}.*\\n\\s+(.*)`).exec(text);
    return m ? m[1]!.trim() : '';
  };
  const field = (label: string) => new RegExp(`${label}: ?(.*)`).exec(text)?.[1]?.trim() ?? '';
  const san = after('X509v3 Subject Alternative Name:');
  const entries = san ? san.split(', ') : [];
  return {
    subject: field('Subject'),
    issuer: field('Issuer'),
    serial: (await openssl(['x509', '-in', path, '-noout', '-serial'])).trim().replace('serial=', ''),
    keyUsage: after('X509v3 Key Usage:').split(', ').filter(Boolean),
    keyUsageCritical: /X509v3 Key Usage: critical/.test(text),
    extKeyUsage: after('X509v3 Extended Key Usage:').split(', ').filter(Boolean),
    basicConstraints: after('X509v3 Basic Constraints:'),
    ski: after('X509v3 Subject Key Identifier:'),
    aki: after('X509v3 Authority Key Identifier:').replace(/^keyid:/, ''),
    dns: entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)),
    ips: entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice(11)),
    signatureAlgorithm: field('Signature Algorithm'),
    notBefore: new Date(field('Not Before')),
    notAfter: new Date(field('Not After ')),
  };
}
