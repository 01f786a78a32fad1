// Building X.509 certificates.
//
// Why two libraries: node-forge encodes ASN.1, names and extensions well, but it can only sign with
// RSA keys it holds in pure JS, and it cannot express ECDSA keys at all. Node's crypto holds both
// kinds of key (OpenSSL) and signs natively, but cannot build a certificate. So forge builds the
// TBSCertificate and the final DER, the SubjectPublicKeyInfo comes from Node's own DER export, and
// Node signs. One code path for RSA and ECDSA; no hand-written ASN.1 encoder, no extra dependency.
import { createHash, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Forge from 'node-forge';
import { publicKeyDer } from './keys.js';

// Loaded the first time a certificate is built: a run that issues none (a re-apply with nothing to
// do, every read-only command) does not pay node-forge's ~50 ms of start-up.
const require = createRequire(import.meta.url);
let forgeModule: typeof Forge | undefined;
function forge(): typeof Forge {
  return (forgeModule ??= require('node-forge') as typeof Forge);
}

export type ExtendedUsage = 'serverAuth' | 'clientAuth';

export interface CertificateRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ips: string[];
  isCa: boolean;
  usages: ExtendedUsage[];
  validityDays: number;
}

/** A certificate authority able to sign: its certificate and key. */
export interface Issuer {
  cert: X509Certificate;
  key: KeyObject;
}

const BACKDATE_MS = 5 * 60 * 1000; // as kubeadm: tolerate clocks a little behind ours
const DAY_MS = 24 * 60 * 60 * 1000;
const OID_SHA256_RSA = '1.2.840.113549.1.1.11';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';

/**
 * Issue a certificate for `subjectKey` signed by `issuer`, or self-signed when `issuer` is undefined.
 * Returns PEM with `\n` line endings.
 */
export function issueCertificate(req: CertificateRequest, subjectKey: KeyObject, issuer?: Issuer, now = new Date()): string {
  const { asn1 } = forge();
  const signingKey = issuer?.key ?? subjectKey;
  const spkiDer = publicKeyDer(subjectKey);
  const ski = subjectKeyIdentifier(spkiDer);
  const aki = issuer ? authorityKeyIdOf(issuer.cert) : ski;
  const subject = nameToAsn1(req.commonName, req.organizations);
  const issuerName = issuer ? subjectAsn1Of(issuer.cert) : nameToAsn1(req.commonName, req.organizations);

  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  let notAfter = new Date(now.getTime() + req.validityDays * DAY_MS);
  // A leaf outliving its CA fails verification after the CA expires anyway; say so in the dates.
  if (issuer && notAfter > new Date(issuer.cert.validTo)) notAfter = new Date(issuer.cert.validTo);

  const algorithm = algorithmIdentifier(signingKey);
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, randomSerial().toString('binary')),
    algorithm,
    issuerName,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [timeToAsn1(notBefore), timeToAsn1(notAfter)]),
    subject,
    derToAsn1(spkiDer),
    extensions(req, ski, aki),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, signingKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithmIdentifier(signingKey),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  return derToPem('CERTIFICATE', Buffer.from(asn1.toDer(certificate).getBytes(), 'binary'));
}

/** PEM with `\n` endings: node-forge writes `\r\n`, which kubeadm takes for a different CA. */
export function derToPem(type: string, der: Buffer): string {
  const { pem } = forge();
  return pem.encode({ type, body: der.toString('binary') }).replace(/\r\n/g, '\n');
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (what Go and OpenSSL compute). */
export function subjectKeyIdentifier(spkiDer: Buffer): Buffer {
  const { asn1 } = forge();
  const spki = asn1.fromDer(spkiDer.toString('binary'), { decodeBitStrings: false } as never);
  const bits = (spki.value as Forge.asn1.Asn1[])[1]!.value as string;
  return createHash('sha1').update(Buffer.from(bits.slice(1), 'binary')).digest();
}

/** Random, positive (top bit clear: Go refuses negative serials), minimally encoded, 128 bits. */
function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  if (serial[0] === 0) serial[0] = 0x01; // a leading zero byte would make the DER integer non-minimal
  return serial;
}

function algorithmIdentifier(signingKey: KeyObject): Forge.asn1.Asn1 {
  const { asn1 } = forge();
  if (signingKey.asymmetricKeyType === 'ec') {
    // ECDSA signature algorithms carry no parameters (not even NULL: Go rejects that).
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID_ECDSA_SHA256).getBytes()),
    ]);
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID_SHA256_RSA).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
}

function nameToAsn1(commonName: string, organizations: string[]): Forge.asn1.Asn1 {
  const { pki } = forge();
  // Go orders O before CN; forge fills in the attribute OIDs and string types.
  const scratch = pki.createCertificate();
  scratch.setSubject([
    ...organizations.map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: commonName },
  ]);
  return pki.distinguishedNameToAsn1(scratch.subject);
}

/** The issuer's subject exactly as encoded in its certificate (byte-equal names chain). */
function subjectAsn1Of(cert: X509Certificate): Forge.asn1.Asn1 {
  return tbsFieldsOf(cert)[5]!;
}

function authorityKeyIdOf(cert: X509Certificate): Buffer {
  return subjectKeyIdentifier(publicKeyDer(cert.publicKey));
}

function tbsFieldsOf(cert: X509Certificate): Forge.asn1.Asn1[] {
  const { asn1 } = forge();
  const certificate = asn1.fromDer(cert.raw.toString('binary'), { decodeBitStrings: false } as never);
  const tbs = (certificate.value as Forge.asn1.Asn1[])[0]!;
  return tbs.value as Forge.asn1.Asn1[];
}

function derToAsn1(der: Buffer): Forge.asn1.Asn1 {
  const { asn1 } = forge();
  return asn1.fromDer(der.toString('binary'), { decodeBitStrings: false } as never);
}

function timeToAsn1(date: Date): Forge.asn1.Asn1 {
  const { asn1 } = forge();
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  if (date.getUTCFullYear() < 2050) {
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function extensions(req: CertificateRequest, ski: Buffer, aki: Buffer): Forge.asn1.Asn1 {
  const { asn1, pki } = forge();
  const exts: Array<Record<string, unknown>> = [
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: true,
      // As kubeadm (pkiutil.NewSignedCert): keyEncipherment on every certificate, ECDSA included.
      keyEncipherment: true,
      keyCertSign: req.isCa,
    },
  ];
  if (req.usages.length > 0) {
    exts.push({ name: 'extKeyUsage', ...Object.fromEntries(req.usages.map((u) => [u, true])) });
  }
  exts.push({ name: 'basicConstraints', critical: true, cA: req.isCa });
  exts.push({
    name: 'subjectKeyIdentifier',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, ski.toString('binary')),
  });
  exts.push({
    name: 'authorityKeyIdentifier',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, aki.toString('binary')),
    ]),
  });
  const altNames = [
    ...req.dnsNames.map((value) => ({ type: 2, value })),
    ...req.ips.map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) exts.push({ name: 'subjectAltName', altNames });
  // forge fills in each extension's DER value from these descriptions.
  const scratch = pki.createCertificate();
  scratch.setExtensions(exts);
  // Exported by node-forge's x509 module but missing from @types/node-forge.
  const toAsn1 = (pki as unknown as { certificateExtensionsToAsn1(exts: unknown[]): Forge.asn1.Asn1 }).certificateExtensionsToAsn1;
  return toAsn1(scratch.extensions);
}
