// `cert check-expiration`: when each certificate (and each kubeconfig's client certificate) expires.
import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UserError } from '../errors/errors.js';
import { subjectOf } from './inspect.js';
import { parseKubeconfig } from './kubeconfig.js';
import { CA_COMMON_NAMES } from './specs.js';
import type { ExpirationRow } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_BY_COMMON_NAME = new Map(Object.entries(CA_COMMON_NAMES).map(([name, cn]) => [cn, name]));

/** A file read from a host or a dir: its path relative to /etc/kubernetes (or the dir) and its text. */
export interface CertFileText {
  path: string;
  text: string;
}

/**
 * One row per certificate among `files` (`*.crt`, and the client certificate inside `*.conf`).
 * Unreadable files are a UserError naming `source` and the file.
 */
export function expirationRows(source: string, files: CertFileText[], now = new Date()): ExpirationRow[] {
  const rows: ExpirationRow[] = [];
  for (const file of files) {
    const cert = certificateIn(source, file);
    const expires = new Date(cert.validTo);
    const issuerCn = subjectOf({ subject: cert.issuer } as X509Certificate).commonName;
    rows.push({
      name: certName(file.path),
      source,
      expires,
      residualDays: Math.floor((expires.getTime() - now.getTime()) / DAY_MS),
      authority: cert.ca ? '' : (CA_BY_COMMON_NAME.get(issuerCn) ?? issuerCn),
      isCa: cert.ca,
    });
  }
  return rows.sort((a, b) => Number(a.isCa) - Number(b.isCa) || a.name.localeCompare(b.name));
}

/** A row's name for a file under /etc/kubernetes: "apiserver", "etcd/server", "admin.conf". */
export function certName(path: string): string {
  return path.replace(/^pki\//, '').replace(/\.crt$/, '');
}

/** The certificate a `*.crt` holds, or the client certificate embedded in a `*.conf`. */
export function certificateIn(source: string, file: CertFileText): X509Certificate {
  let pem: string | undefined;
  if (file.path.endsWith('.conf')) pem = parseKubeconfig(file.text)?.certPem;
  else if (file.path.endsWith('.crt')) pem = file.text;
  if (pem === undefined) throw new UserError(`${source}: ${file.path}: not a kubeconfig with an embedded client certificate`);
  try {
    return new X509Certificate(pem);
  } catch {
    throw new UserError(`${source}: ${file.path}: not a PEM certificate`);
  }
}

/** Every `*.crt` and `*.conf` under `dir` (any layout: a kubeadm /etc/kubernetes copy or a sealts pki dir). */
export async function readExpirationsFromDir(dir: string, now = new Date()): Promise<ExpirationRow[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String);
  } catch {
    throw new UserError(`${dir}: cannot read the directory`);
  }
  const wanted = entries.filter((e) => e.endsWith('.crt') || e.endsWith('.conf')).sort();
  if (wanted.length === 0) throw new UserError(`${dir}: no *.crt or *.conf files`);
  const files = await Promise.all(wanted.map(async (e) => ({ path: relative(dir, join(dir, e)), text: await readFile(join(dir, e), 'utf8') })));
  return expirationRows(dir, files, now);
}

/** kubeadm-style residual time: "364d", "9y", "<invalid>" once expired. */
export function residual(days: number): string {
  if (days < 0) return '<invalid>';
  return days >= 2 * 365 ? `${Math.floor(days / 365)}y` : `${days}d`;
}

/** A table like `kubeadm certs check-expiration`, one section per source. */
export function formatExpirationTable(rows: ExpirationRow[]): string {
  // Rows read from hosts say whether the host serves the local PKI's certificate.
  const compared = rows.some((r) => r.local !== undefined);
  const header = ['SOURCE', 'CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', ...(compared ? ['LOCAL PKI'] : [])];
  const cells = rows.map((r) => [r.source, r.name, formatDate(r.expires), residual(r.residualDays), r.isCa ? '(CA)' : r.authority, ...(compared ? [r.local ?? ''] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('   ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

function formatDate(d: Date): string {
  // kubeadm prints "Jan 02, 2006 15:04 UTC".
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${pad(d.getUTCDate())}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
