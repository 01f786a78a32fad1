// Names that go into certificates: SAN classification, the service IP, node names, versions.
import { isIP, isIPv6 } from 'node:net';
import { UserError } from '../errors/errors.js';

export interface SanSet {
  dnsNames: string[];
  ips: string[];
}

// RFC 1123 labels; a leading "*." wildcard is allowed as certSANs sometimes carry one.
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && DNS_NAME.test(name);
}

/**
 * Sort names into DNS names and IPs, de-duplicated, in first-seen order. A name that is neither
 * is bad input: `where` says where it came from (e.g. "pki.certSANs").
 */
export function classifySans(names: Iterable<string>, where: string): SanSet {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (isIP(name)) {
      const canonical = canonicalIp(name);
      if (!ips.includes(canonical)) ips.push(canonical);
    } else if (isDnsName(name)) {
      const lower = name.toLowerCase();
      if (!dnsNames.includes(lower)) dnsNames.push(lower);
    } else {
      throw new UserError(`${where}: ${JSON.stringify(raw)} is neither an IP address nor a DNS name`);
    }
  }
  return { dnsNames, ips };
}

/** One spelling per address, so set comparisons with certificates read back are exact. */
export function canonicalIp(ip: string): string {
  if (!isIPv6(ip)) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** The first usable address of the service CIDR: the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(serviceCidr: string): string {
  const [base, prefix] = serviceCidr.split('/');
  if (!base || !isIP(base) || prefix === undefined || !/^\d+$/.test(prefix)) {
    throw new UserError(`network.serviceCIDR: ${JSON.stringify(serviceCidr)} is not a CIDR`);
  }
  const v6 = isIPv6(base);
  const width = v6 ? 128 : 32;
  const bits = Number(prefix);
  if (bits > width - 1) throw new UserError(`network.serviceCIDR: ${serviceCidr} has no room for a service IP`);
  const value = ipToBigInt(base);
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - bits)) - 1n);
  return bigIntToIp((value & mask) + 1n, v6);
}

function ipToBigInt(ip: string): bigint {
  if (!isIPv6(ip)) return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  const groups = canonicalIp(ip).split('::');
  const head = groups[0] ? groups[0].split(':') : [];
  const tail = groups[1] ? groups[1].split(':') : [];
  const all = groups.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  return all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIp(value: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return canonicalIp(groups.join(':'));
}

/**
 * The node name used when the real hostname is unknown (`cert generate` offline without
 * `--hostname`): "ip-198-18-2-11". Apply always uses the hostname gathered from the host.
 */
export function defaultHostname(ip: string): string {
  return `ip-${ip.replace(/[.:]/g, '-')}`.toLowerCase();
}

/** A node name kubelet would accept (it becomes system:node:<name> and a DNS SAN). */
export function checkNodeName(name: string, ip: string): string {
  const lower = name.toLowerCase();
  if (!isDnsName(lower) || lower.startsWith('*')) {
    throw new UserError(`host ${ip}: hostname ${JSON.stringify(name)} is not a valid node name (RFC 1123)`);
  }
  return lower;
}

/** Kubernetes >= 1.29 splits admin rights into admin.conf (kubeadm:cluster-admins) + super-admin.conf. */
export function hasSuperAdmin(version: string): boolean {
  return atLeast(version, 29);
}

/** True for Kubernetes 1.<minor> and later. */
function atLeast(version: string, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new UserError(`runtime.version: ${JSON.stringify(version)} is not a Kubernetes version`);
  return Number(m[1]) > 1 || (Number(m[1]) === 1 && Number(m[2]) >= minor);
}

/**
 * kubeadm 1.29-1.35 put the apiserver's kubelet client certificate in kubeadm:cluster-admins (1.28 and
 * earlier: system:masters); 1.36 gives it no group, only its name (RBAC binds the kubelet API to it).
 */
export function kubeletClientGroups(version: string, admins: string): string[] {
  return atLeast(version, 36) ? [] : [admins];
}

/** https://IP:PORT, bracketing IPv6. */
export function serverUrl(host: string, port = 6443): string {
  return `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}
