// Certificate authorities: reading one back (state dir or master0) and checking it can sign.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { UserError } from '../errors/errors.js';
import type { Issuer } from './cert.js';
import { parsePrivateKey, privateKeyToPem } from './keys.js';
import type { CaPair } from './types.js';

/**
 * A CA from its PEM certificate and key (e.g. read back from master0's /etc/kubernetes/pki when
 * the local state is lost). `where` names the source in errors, e.g. "198.18.2.11:/etc/kubernetes/pki/ca".
 * Throws a UserError when the files are not a CA, do not match, or the CA has expired.
 */
export function loadCaFromPem(certPem: string, keyPem: string, where = 'CA', now = new Date()): CaPair {
  const issuer = parseCa(certPem, keyPem, where, now);
  return { certPem: normalizePem(certPem), keyPem: privateKeyToPem(issuer.key) };
}

export function parseCa(certPem: string, keyPem: string, where: string, now: Date): Issuer {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new UserError(`${where}.crt: not a PEM certificate`);
  }
  try {
    key = parsePrivateKey(keyPem);
  } catch {
    throw new UserError(`${where}.key: not a PEM private key`);
  }
  if (!cert.ca) throw new UserError(`${where}.crt: not a CA certificate (basicConstraints CA:FALSE)`);
  if (!cert.checkPrivateKey(key)) throw new UserError(`${where}.crt does not match ${where}.key: the key belongs to another certificate`);
  if (new Date(cert.validTo) <= now) throw new UserError(`${where}.crt: expired on ${new Date(cert.validTo).toISOString()}; a new CA means re-joining every host`);
  return { cert, key };
}

/** Re-encode so line endings are `\n` and there is exactly one certificate. */
export function normalizePem(certPem: string): string {
  return new X509Certificate(certPem).toString();
}
