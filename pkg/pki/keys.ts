// Private keys. Generation uses Node's crypto (OpenSSL, on libuv's thread pool): node-forge's
// pure-JS RSA key generation takes seconds per key and blocks the event loop.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyAlgorithm } from '../clusterfile/types.js';

const generate = promisify(generateKeyPair);

export async function newPrivateKey(algorithm: KeyAlgorithm): Promise<KeyObject> {
  if (algorithm === 'ECDSA-P256') {
    const { privateKey } = await generate('ec', { namedCurve: 'P-256' });
    return privateKey;
  }
  const bits = Number(algorithm.slice('RSA-'.length));
  const { privateKey } = await generate('rsa', { modulusLength: bits });
  return privateKey;
}

/** kubeadm's key files: PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`. */
export function privateKeyToPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs1';
  return key.export({ type, format: 'pem' }).toString();
}

/** PKIX `PUBLIC KEY` (sa.pub). */
export function publicKeyToPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

export function publicKeyDer(key: KeyObject): Buffer {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  return pub.export({ type: 'spki', format: 'der' });
}

/** Parses a private key PEM; throws a plain Error (callers add the file name). */
export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** The Clusterfile's algorithm name that a key has, or undefined for anything else. */
export function algorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ec') {
    return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ECDSA-P256' : undefined;
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits === 2048 || bits === 3072 || bits === 4096) return `RSA-${bits}`;
  }
  return undefined;
}

/** True when the two keys' public halves are the same key. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return publicKeyDer(a).equals(publicKeyDer(b));
}
