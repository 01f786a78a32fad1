// k0s join tokens: made on a running controller (`k0s token create`), read back only for their ID
// (to invalidate them after use), and never printed, logged or put in an argv. A token is base64 of
// gzip of a kubeconfig whose user token is "ID.SECRET".
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { HostError } from '../../errors/errors.js';
import { execOk, type HostExec } from '../../host/exec.js';
import { sh } from '../../shell/quote.js';
import { Secret } from '../../secret/secret.js';
import { K0S } from './paths.js';

export type TokenRole = 'worker' | 'controller';

/** A token valid for `expiry` (long enough for one join phase, short enough to be useless after). */
export async function createToken(via: HostExec, role: TokenRole, expiry = '15m'): Promise<Secret> {
  const out = await execOk(via, `k0s token create (${role})`, sh([K0S, 'token', 'create', `--role=${role}`, `--expiry=${expiry}`]), { quiet: true });
  const token = new Secret(out.trim());
  tokenId(token, via.host); // a token that cannot be read back cannot be invalidated: refuse it now
  return token;
}

/** The token's ID (the part before the dot of its bootstrap token). */
export function tokenId(token: Secret, host = 'k0s'): string {
  try {
    const kubeconfig = parse(gunzipSync(Buffer.from(token.reveal(), 'base64')).toString('utf8')) as { users?: Array<{ user?: { token?: string } }> };
    const id = /^([a-z0-9]{6})\.[a-z0-9]{16}$/.exec(kubeconfig.users?.[0]?.user?.token ?? '')?.[1];
    if (id) return id;
  } catch {
    // reported below, without the token's text
  }
  throw new HostError(host, 'k0s token create', 'the token printed is not a k0s join token (base64 of a gzipped kubeconfig with a bootstrap token)');
}

export async function invalidateToken(via: HostExec, token: Secret): Promise<void> {
  await execOk(via, 'k0s token invalidate', sh([K0S, 'token', 'invalidate', tokenId(token, via.host)]));
}
