// The VIP reachability check, run ON each node: a TLS handshake to VIP:6443 that must present a
// certificate chaining to the cluster CA and valid for apiserver.cluster.local. Several handshakes,
// because the VIP spreads connections over the masters and every one of them must answer.
import { HostError } from '../errors/errors.js';
import { and, literal, pipe, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../runtime/exec.js';
import { writeRemoteFile } from './files.js';

export const API_SERVER_NAME = 'apiserver.cluster.local';
const CA_FILE = '/etc/sealts/vip-check-ca.crt';

export interface VipCheck {
  vip: string;
  port: number;
  /** PEM of the cluster CA (ca.crt). */
  caPem: string;
  /** Handshakes to make; each must verify. */
  attempts: number;
}

export async function checkVip(h: HostExec, c: VipCheck): Promise<void> {
  await writeRemoteFile(h, 'vip check', CA_FILE, c.caPem);
  const handshake = pipe(
    literal('true'),
    sh([
      'timeout', '10', 'openssl', 's_client', '-connect', `${c.vip}:${c.port}`, '-servername', API_SERVER_NAME,
      '-verify_hostname', API_SERVER_NAME, '-CAfile', CA_FILE, '-verify_return_error',
    ]),
  );
  try {
    for (let i = 0; i < c.attempts; i++) {
      const r = await h.exec(handshake);
      const verified = /Verify return code: 0 \(ok\)/.test(r.stdout);
      if (r.code !== 0 || !verified) {
        const why = (r.stderr + '\n' + r.stdout).split('\n').find((l) => /verify error|error|refused|timed out|Verify return code/i.test(l))?.trim();
        throw new HostError(h.host, 'vip check', `TLS to ${c.vip}:${c.port} as ${API_SERVER_NAME} failed${why ? `: ${why}` : ` (exit ${r.code})`}`);
      }
    }
  } finally {
    await h.exec(and(sh(['rm', '-f', CA_FILE])));
  }
}

/** Check that the node resolves apiserver.cluster.local to the VIP (what kubelet will dial). */
export async function checkHostsMapping(h: HostExec, vip: string): Promise<void> {
  const out = await execOk(h, 'vip check', sh(['getent', 'hosts', API_SERVER_NAME]));
  if (out.trim().split(/\s+/)[0] !== vip) throw new HostError(h.host, 'vip check', `${API_SERVER_NAME} resolves to ${out.trim() || 'nothing'}, not the VIP ${vip}`);
}
