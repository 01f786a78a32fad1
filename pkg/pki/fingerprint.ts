// The CA pin for `kubeadm join --discovery-token-ca-cert-hash`.
import { createHash, X509Certificate } from 'node:crypto';
import { publicKeyDer } from './keys.js';

/** "sha256:" + hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo. */
export function caCertHash(caCertPem: string): string {
  const spki = publicKeyDer(new X509Certificate(caCertPem).publicKey);
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
