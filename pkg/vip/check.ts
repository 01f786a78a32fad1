// The VIP reachability check, run ON each node: a TLS handshake to VIP:6443 that must present a
// certificate chaining to the cluster CA and valid for apiserver.cluster.local. One remote command:
// the CA comes on stdin into a temp file that is gone when the check ends.
import { HostError } from '../errors/errors.js';
import { literal, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../host/exec.js';

export const API_SERVER_NAME = 'apiserver.cluster.local';

export interface VipCheck {
  vip: string;
  port: number;
  /** PEM of the cluster CA (ca.crt). */
  caPem: string;
}

/** stdin = CA PEM; "$1" = host:port, "$2" = the name the certificate must be valid for. */
const TLS_CHECK = literal(
  [
    'ca=$(mktemp)',
    'trap \'rm -f -- "$ca"\' EXIT',
    'cat > "$ca"',
    'true | timeout 10 openssl s_client -connect "$1" -servername "$2" -verify_hostname "$2" -CAfile "$ca" -verify_return_error',
  ].join('\n'),
);

export async function checkVip(h: HostExec, c: VipCheck): Promise<void> {
  const r = await h.exec(sh(['sh', '-c', TLS_CHECK, 'sh', `${c.vip}:${c.port}`, API_SERVER_NAME]), { stdin: c.caPem });
  const verified = /Verify return code: 0 \(ok\)/.test(r.stdout);
  if (r.code !== 0 || !verified) {
    const why = (r.stderr + '\n' + r.stdout).split('\n').find((l) => /verify error|error|refused|timed out|Verify return code/i.test(l))?.trim();
    throw new HostError(h.host, 'vip check', `TLS to ${c.vip}:${c.port} as ${API_SERVER_NAME} failed${why ? `: ${why}` : ` (exit ${r.code})`}`);
  }
}

/** Check that the node resolves apiserver.cluster.local to the VIP (what kubelet will dial). */
export async function checkHostsMapping(h: HostExec, vip: string): Promise<void> {
  const out = await execOk(h, 'vip check', sh(['getent', 'hosts', API_SERVER_NAME]));
  if (out.trim().split(/\s+/)[0] !== vip) throw new HostError(h.host, 'vip check', `${API_SERVER_NAME} resolves to ${out.trim() || 'nothing'}, not the VIP ${vip}`);
}
