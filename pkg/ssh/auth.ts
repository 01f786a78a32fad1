// Turns a host's SshConfig into ssh2 credentials: key file (+ passphrase), password, ssh-agent.
// Problems with local key files are reported before any connection is tried.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { AuthenticationType, ConnectConfig } from 'ssh2';
import type { Secret } from '../secret/secret.js';

/** Keys tried when a host names neither a key nor a password, like OpenSSH's defaults. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface Credentials {
  user: string;
  pk?: string;
  pkPasswd?: Secret;
  passwd?: Secret;
}

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Thrown for a credential that can never work (missing or unreadable key): not worth a retry. */
export class CredentialError extends Error {}

/** Why a key file cannot be used (missing, unreadable, not a key, encrypted without a passphrase), or undefined. */
export async function keyFileProblem(file: string, passphrase: Secret | undefined): Promise<string | undefined> {
  try {
    await loadKey(file, passphrase);
    return undefined;
  } catch (e) {
    if (e instanceof CredentialError) return e.message;
    throw e;
  }
}

async function loadKey(file: string, passphrase: Secret | undefined): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CredentialError(code === 'ENOENT' ? `key file ${file} not found` : `key file ${file}: ${(e as Error).message}`);
  }
  const parsed = ssh2.utils.parseKey(key, passphrase?.reveal());
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new CredentialError(
      encrypted && !passphrase ? `key file ${file} is encrypted and no passphrase was given (pkPasswd)` : `key file ${file}: ${parsed.message}`,
    );
  }
  return key;
}

async function defaultKey(): Promise<string | undefined> {
  for (const name of DEFAULT_KEYS) {
    const p = path.join(os.homedir(), '.ssh', name);
    try {
      await readFile(p);
      return p;
    } catch {
      // not there: try the next one
    }
  }
  return undefined;
}

/** ssh2 connect settings for the credentials, in the order key, agent, password. */
export async function authConfig(c: Credentials): Promise<Pick<ConnectConfig, 'username' | 'privateKey' | 'passphrase' | 'password' | 'agent' | 'authHandler'>> {
  const methods: AuthenticationType[] = [];
  const cfg: Pick<ConnectConfig, 'username' | 'privateKey' | 'passphrase' | 'password' | 'agent' | 'authHandler'> = { username: c.user };
  const keyFile = c.pk ? expandHome(c.pk) : c.passwd ? undefined : await defaultKey();
  if (keyFile) {
    cfg.privateKey = await loadKey(keyFile, c.pkPasswd);
    if (c.pkPasswd) cfg.passphrase = c.pkPasswd.reveal();
    methods.push('publickey');
  }
  if (process.env.SSH_AUTH_SOCK) {
    cfg.agent = process.env.SSH_AUTH_SOCK;
    methods.push('agent');
  }
  if (c.passwd) {
    cfg.password = c.passwd.reveal();
    methods.push('password');
  }
  if (methods.length === 0) {
    throw new CredentialError('no credentials: set a key (pk), a password (passwd) or run an ssh-agent (SSH_AUTH_SOCK)');
  }
  cfg.authHandler = methods;
  return cfg;
}
