// Join credentials: a bootstrap token (id.secret) and a control-plane certificate key, both random,
// both Secrets from birth so they never reach a log or an argv.
import { randomBytes, randomInt } from 'node:crypto';
import { Secret } from '../../secret/secret.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomText(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export const TOKEN_FORMAT = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

export function newBootstrapToken(): Secret {
  return new Secret(`${randomText(6)}.${randomText(16)}`);
}

/** The public half of a token, safe to show and to pass to `kubeadm token delete`. */
export function tokenId(t: Secret): string {
  return t.reveal().split('.')[0]!;
}

export function newCertificateKey(): Secret {
  return new Secret(randomBytes(32).toString('hex'));
}
