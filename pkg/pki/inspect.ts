// Reading certificates back (Node's X509Certificate) to decide whether an existing one still fits.
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../clusterfile/types.js';
import type { CertificateRequest } from './cert.js';
import { algorithmOf } from './keys.js';
import { canonicalIp } from './names.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function subjectOf(cert: X509Certificate): { commonName: string; organizations: string[] } {
  const organizations: string[] = [];
  let commonName = '';
  for (const line of cert.subject.split('\n')) {
    const eq = line.indexOf('=');
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    if (key === 'CN') commonName = value;
    if (key === 'O') organizations.push(value);
  }
  return { commonName, organizations };
}

export function sansOf(cert: X509Certificate): { dnsNames: string[]; ips: string[] } {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith('IP Address:')) ips.push(canonicalIp(entry.slice('IP Address:'.length)));
  }
  return { dnsNames, ips };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Signed by `issuer` (name and signature). */
export function isSignedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * Renew when less than 30 days or less than a fifth of its lifetime remain (whichever is
 * shorter, so short test validities are not renewed on every run).
 */
export function isExpiringSoon(cert: X509Certificate, now: Date): boolean {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  const threshold = Math.min(30 * DAY_MS, (to - from) / 5);
  return to - now.getTime() < threshold || from > now.getTime() + DAY_MS;
}

/**
 * Why an existing certificate does not fit the request (undefined when it fits): wrong key,
 * wrong signer, other subject or SANs, other key algorithm, or close to expiry.
 */
export function mismatch(
  cert: X509Certificate,
  key: KeyObject,
  request: CertificateRequest,
  issuer: X509Certificate,
  algorithm: KeyAlgorithm,
  now: Date,
): string | undefined {
  if (!cert.checkPrivateKey(key)) return 'key does not match certificate';
  if (!isSignedBy(cert, issuer)) return 'not signed by the current CA';
  if (cert.ca !== request.isCa) return 'CA flag differs';
  const subject = subjectOf(cert);
  if (subject.commonName !== request.commonName || !sameSet(subject.organizations, request.organizations)) return 'subject differs';
  const sans = sansOf(cert);
  if (!sameSet(sans.dnsNames, request.dnsNames) || !sameSet(sans.ips, request.ips)) return 'SANs differ';
  if (algorithmOf(key) !== algorithm) return 'key algorithm differs';
  if (isExpiringSoon(cert, now)) return 'expires soon';
  return undefined;
}
