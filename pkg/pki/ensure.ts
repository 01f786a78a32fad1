// ensurePki: make the pki dir hold exactly what the cluster needs, keeping whatever still fits.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster, KeyAlgorithm } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import { issueCertificate, type Issuer } from './cert.js';
import { normalizePem, parseCa } from './ca.js';
import { mismatch } from './inspect.js';
import { algorithmOf, newPrivateKey, parsePrivateKey, privateKeyToPem, publicKeyToPem, samePublicKey } from './keys.js';
import { parseKubeconfig, renderKubeconfig } from './kubeconfig.js';
import { CA_NAMES, caRequest, clientRequest, planPki, type CaName, type KubeconfigSpec, type LeafSpec } from './specs.js';
import { CERT_MODE, readIfExists, SECRET_MODE, writeFileAtomic } from './store.js';
import type { KeyPool } from './keypool.js';
import type { CaPair, HostIdentity, PkiResult } from './types.js';

export interface EnsureOptions {
  /** CAs read back from the cluster (master0) when the local state was lost; they win over nothing, and must equal what the dir holds. */
  cas?: Partial<Record<CaName, CaPair>>;
  /** sa.key read back from the cluster, same rules. */
  saKeyPem?: string;
  /** Keys generated ahead (see KeyPool); new keys come from it first. */
  keyPool?: KeyPool;
  /** Leaves to reissue even when they still fit (cert renew): kubeadm names, e.g. "apiserver", "admin.conf". */
  renew?: ReadonlySet<string>;
  now?: Date;
}

interface Ctx {
  dir: string;
  algorithm: KeyAlgorithm;
  now: Date;
  leafDays: number;
  result: PkiResult;
  renew: ReadonlySet<string>;
  newKey: () => Promise<KeyObject>;
}

/**
 * Create or update the PKI in `dir` for `cluster` with these masters and nodes (hostnames as
 * the hosts report them). Existing CAs are reused; leaves and kubeconfigs that still fit are kept;
 * the rest are (re)issued, reusing their key when it has the right algorithm. Folders of hosts no
 * longer in the cluster are removed. Bad input is a UserError naming the file or the value.
 */
export async function ensurePki(
  dir: string,
  cluster: Cluster,
  masters: HostIdentity[],
  nodes: HostIdentity[],
  options: EnsureOptions = {},
): Promise<PkiResult> {
  const plan = planPki(cluster, masters, nodes);
  const ctx: Ctx = {
    dir,
    algorithm: cluster.pki.keyAlgorithm,
    now: options.now ?? new Date(),
    leafDays: cluster.pki.leafValidityDays,
    result: { changed: [], kept: [], removed: [] },
    renew: options.renew ?? new Set(),
    newKey: () => (options.keyPool ? options.keyPool.take(cluster.pki.keyAlgorithm) : newPrivateKey(cluster.pki.keyAlgorithm)),
  };
  const cas = Object.fromEntries(
    CA_NAMES.map((name) => [name, ensureCa(ctx, name, plan.caValidityDays, options.cas?.[name])]),
  ) as Record<CaName, Promise<Issuer & { certPem: string }>>;
  // Everything runs at once: each leaf waits only for its own CA (read in milliseconds, or one key
  // generation when new), then the thread pool works through the leaf keys in parallel.
  // allSettled, not all: when one part fails, ensurePki returns only after every other part has
  // finished writing, so the caller never races a write still in flight.
  const outcomes = await Promise.allSettled([
    ...Object.values(cas),
    ensureServiceAccountKey(ctx, options.saKeyPem),
    ...plan.leaves.map((spec) => ensureLeaf(ctx, spec, cas[spec.signer])),
    ...plan.kubeconfigs.map((spec) => ensureKubeconfig(ctx, spec, cas.ca)),
    prune(ctx, 'masters', plan.masterIps),
    prune(ctx, 'nodes', plan.nodeIps),
  ]);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  for (const list of Object.values(ctx.result)) list.sort();
  return ctx.result;
}

async function ensureCa(ctx: Ctx, name: CaName, validityDays: number, given: CaPair | undefined): Promise<Issuer & { certPem: string }> {
  const base = join(ctx.dir, name);
  const [crt, key] = await Promise.all([readIfExists(`${base}.crt`), readIfExists(`${base}.key`)]);
  if (crt !== undefined && key === undefined) throw new UserError(`${base}.crt exists but ${base}.key is missing: cannot sign with this CA`);
  if (crt === undefined && key !== undefined) throw new UserError(`${base}.key exists but ${base}.crt is missing`);
  if (crt !== undefined && key !== undefined) {
    const ca = parseCa(crt, key, base, ctx.now);
    if (given && !samePublicKey(ca.key, parseCa(given.certPem, given.keyPem, `cluster ${name}`, ctx.now).key)) {
      throw new UserError(`${base}.crt differs from the ${name} CA the cluster uses; move the local pki dir away to adopt the cluster's`);
    }
    const certPem = normalizePem(crt);
    if (certPem !== crt) await write(ctx, `${name}.crt`, certPem, CERT_MODE); // e.g. CRLF endings
    else await keep(ctx, [`${name}.crt`, CERT_MODE], [`${name}.key`, SECRET_MODE]);
    return { ...ca, certPem };
  }
  let certPem: string;
  let privateKey: KeyObject;
  if (given) {
    const ca = parseCa(given.certPem, given.keyPem, `cluster ${name}`, ctx.now);
    [certPem, privateKey] = [normalizePem(given.certPem), ca.key];
  } else {
    privateKey = await ctx.newKey();
    certPem = issueCertificate(caRequest(name, validityDays), privateKey, undefined, ctx.now);
  }
  await write(ctx, `${name}.key`, privateKeyToPem(privateKey), SECRET_MODE);
  await write(ctx, `${name}.crt`, certPem, CERT_MODE);
  return { cert: new X509Certificate(certPem), key: privateKey, certPem };
}

async function ensureServiceAccountKey(ctx: Ctx, givenPem: string | undefined): Promise<void> {
  const keyText = await readIfExists(join(ctx.dir, 'sa.key'));
  let key: KeyObject;
  if (keyText !== undefined) {
    key = parseKeyFile(keyText, join(ctx.dir, 'sa.key'));
    if (givenPem && !samePublicKey(key, parseKeyFile(givenPem, 'cluster sa.key'))) {
      throw new UserError(`${join(ctx.dir, 'sa.key')} differs from the cluster's sa.key; move the local pki dir away to adopt the cluster's`);
    }
    await keep(ctx, ['sa.key', SECRET_MODE]);
  } else {
    key = givenPem ? parseKeyFile(givenPem, 'cluster sa.key') : await ctx.newKey();
    await write(ctx, 'sa.key', privateKeyToPem(key), SECRET_MODE);
  }
  const pub = publicKeyToPem(key);
  if ((await readIfExists(join(ctx.dir, 'sa.pub'))) === pub) await keep(ctx, ['sa.pub', CERT_MODE]);
  else await write(ctx, 'sa.pub', pub, CERT_MODE);
}

async function ensureLeaf(ctx: Ctx, spec: LeafSpec, issuerPromise: Promise<Issuer>): Promise<void> {
  const issuer = await issuerPromise;
  const [crtPath, keyPath] = [`${spec.path}.crt`, `${spec.path}.key`];
  const [crt, keyText] = await Promise.all([readIfExists(join(ctx.dir, crtPath)), readIfExists(join(ctx.dir, keyPath))]);
  const key = usableKey(keyText, ctx.algorithm);
  if (crt !== undefined && key && !ctx.renew.has(spec.name) && fits(crt, key, spec.request, issuer, ctx)) {
    await keep(ctx, [crtPath, CERT_MODE], [keyPath, SECRET_MODE]);
    return;
  }
  const privateKey = key ?? (await ctx.newKey());
  if (key) await keep(ctx, [keyPath, SECRET_MODE]); // reissue with the same key, as `kubeadm certs renew`
  else await write(ctx, keyPath, privateKeyToPem(privateKey), SECRET_MODE);
  await write(ctx, crtPath, issueCertificate(spec.request, privateKey, issuer, ctx.now), CERT_MODE);
}

async function ensureKubeconfig(ctx: Ctx, spec: KubeconfigSpec, caPromise: Promise<Issuer & { certPem: string }>): Promise<void> {
  const ca = await caPromise;
  const request = clientRequest(spec, ctx.leafDays);
  const existing = parseKubeconfig((await readIfExists(join(ctx.dir, spec.path))) ?? '');
  const key = usableKey(existing?.keyPem, ctx.algorithm);
  if (
    existing && key && !ctx.renew.has(spec.name) &&
    // kubeadm compares the embedded CA byte for byte with ca.crt ("wrong CA cert").
    existing.caPem === ca.certPem && existing.server === spec.server && existing.user === spec.user &&
    fits(existing.certPem, key, request, ca, ctx)
  ) {
    await keep(ctx, [spec.path, SECRET_MODE]);
    return;
  }
  const privateKey = key ?? (await ctx.newKey());
  const certPem = issueCertificate(request, privateKey, ca, ctx.now);
  const text = renderKubeconfig({ server: spec.server, caPem: ca.certPem, user: spec.user, certPem, keyPem: privateKeyToPem(privateKey) });
  await write(ctx, spec.path, text, SECRET_MODE);
}

function fits(crt: string, key: KeyObject, request: LeafSpec['request'], issuer: Issuer, ctx: Ctx): boolean {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(crt);
  } catch {
    return false; // unreadable: reissue
  }
  return mismatch(cert, key, request, issuer.cert, ctx.algorithm, ctx.now) === undefined;
}

/** An existing key worth reusing for a reissue: it parses and has the configured algorithm. */
function usableKey(text: string | undefined, algorithm: KeyAlgorithm): KeyObject | undefined {
  if (text === undefined) return undefined;
  try {
    const key = parsePrivateKey(text);
    return algorithmOf(key) === algorithm ? key : undefined;
  } catch {
    return undefined;
  }
}

function parseKeyFile(text: string, where: string): KeyObject {
  try {
    return parsePrivateKey(text);
  } catch {
    throw new UserError(`${where}: not a PEM private key`);
  }
}

async function write(ctx: Ctx, rel: string, content: string, mode: number): Promise<void> {
  await writeFileAtomic(join(ctx.dir, rel), content, mode);
  ctx.result.changed.push(rel);
}

/** Kept files get their mode re-asserted: a key someone made world-readable is fixed here. */
async function keep(ctx: Ctx, ...files: Array<[string, number]>): Promise<void> {
  for (const [rel, mode] of files) {
    await chmod(join(ctx.dir, rel), mode);
    ctx.result.kept.push(rel);
  }
}

async function prune(ctx: Ctx, folder: 'masters' | 'nodes', wanted: string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(join(ctx.dir, folder));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (wanted.includes(entry)) continue;
    await rm(join(ctx.dir, folder, entry), { recursive: true, force: true });
    ctx.result.removed.push(`${folder}/${entry}`);
  }
}
