// known_hosts, read the way OpenSSH reads it: plain and hashed (`|1|salt|hash`) host patterns,
// `[host]:port` for non-standard ports, `*`/`?` wildcards, `!` negation, `@revoked` markers.
// Lines we do not understand (e.g. `@cert-authority`) are ignored, never trusted.
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface KnownKey {
  type: string;
  /** The raw public key blob (what ssh2's hostVerifier receives). */
  blob: Buffer;
  revoked: boolean;
  /** `file:line`, for messages. */
  source: string;
}

/** OpenSSH's `SHA256:...` fingerprint of a raw key blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type name inside a raw key blob (its first SSH string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** How a host is written in known_hosts: `ip` on port 22, `[ip]:port` otherwise. */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(text);
}

function hashedMatch(entry: string, token: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, host))
  const parts = entry.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const want = Buffer.from(parts[3] ?? '', 'base64');
  const got = createHmac('sha1', salt).update(token).digest();
  return got.length === want.length && got.equals(want);
}

/** Does a comma-separated host pattern list match this host token? A matching `!pattern` wins. */
export function patternsMatch(patterns: string, token: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, token);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), token)) return false;
    } else if (globMatch(p, token)) {
      matched = true;
    }
  }
  return matched;
}

/** Every key known for `host:port` across the files (missing files are skipped). */
export async function knownKeysFor(files: readonly string[], host: string, port: number): Promise<KnownKey[]> {
  const token = hostToken(host, port);
  const out: KnownKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      let revoked = false;
      if (fields[0]?.startsWith('@')) {
        if (fields[0] !== '@revoked') return; // @cert-authority: certificates are not used here
        revoked = true;
        fields.shift();
      }
      const [patterns, type, b64] = fields;
      if (!patterns || !type || !b64 || !patternsMatch(patterns, token)) return;
      out.push({ type, blob: Buffer.from(b64, 'base64'), revoked, source: `${file}:${i + 1}` });
    });
  }
  return out;
}

export type HostKeyVerdict =
  | { kind: 'known'; key: KnownKey }
  | { kind: 'unknown' }
  | { kind: 'revoked'; key: KnownKey }
  | { kind: 'changed'; expected: KnownKey[] };

/** Compare the key a host presented with what the files say. */
export function judgeHostKey(known: readonly KnownKey[], presented: Buffer): HostKeyVerdict {
  const revoked = known.find((k) => k.revoked && k.blob.equals(presented));
  if (revoked) return { kind: 'revoked', key: revoked };
  const trusted = known.filter((k) => !k.revoked);
  const same = trusted.find((k) => k.blob.equals(presented));
  if (same) return { kind: 'known', key: same };
  // Any other key on record for this host means the host is not the one we met before. (The pool
  // asks for the recorded key types first, so a host that still has its old key presents it.)
  if (trusted.length > 0) return { kind: 'changed', expected: trusted };
  return { kind: 'unknown' };
}

/** Append one `host type key` line (trust on first use). Single appends of one line do not interleave. */
export async function recordHostKey(file: string, host: string, port: number, blob: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${hostToken(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
