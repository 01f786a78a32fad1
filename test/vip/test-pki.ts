// A throwaway CA and server certificates made with the openssl CLI, for tests that need a TLS
// server on fleet hosts (not the product PKI, which pkg/pki owns).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestCa {
  dir: string;
  caCrt: string;
  caKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function testCa(cn = 'kubernetes'): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-testca-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,digitalSignature'], dir);
  return { dir, caCrt: path.join(dir, 'ca.crt'), caKey: path.join(dir, 'ca.key') };
}

/** A server certificate signed by `ca` with the given DNS/IP SANs; returns {crt, key} PEM text. */
export async function serverCert(ca: TestCa, name: string, sans: string[]): Promise<{ crt: string; key: string }> {
  const ext = path.join(ca.dir, `${name}.ext`);
  await writeFile(ext, `subjectAltName=${sans.map((s) => (/^[\d.]+$/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=kube-apiserver'], ca.dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext], ca.dir);
  return { crt: await readFile(path.join(ca.dir, `${name}.crt`), 'utf8'), key: await readFile(path.join(ca.dir, `${name}.key`), 'utf8') };
}
