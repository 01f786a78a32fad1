// Removes a leaving master's etcd member, through a master that stays. `kubeadm reset` removes a
// master's own member only when it runs there and reaches etcd; a master forced out while
// unreachable would otherwise stay a voting member for ever (and two such losses out of three cost
// the cluster its quorum). Deleting the Node object does not touch etcd. We talk to etcd's v3 JSON
// gateway on the staying master's local client URL with the client certificate kubeadm's apiserver
// uses for etcd, through curl (already required on masters); IDs are uint64, so they stay strings.
import { HostError } from '../../errors/errors.js';
import { KUBERNETES_DIR } from '../../pki/layout.js';
import { sh } from '../../shell/quote.js';
import type { HostExec } from '../../host/exec.js';

/** etcd's client URL on every kubeadm master (it listens on loopback and its advertise address). */
export const ETCD_LOCAL_CLIENT_URL = 'https://127.0.0.1:2379';
const PKI = `${KUBERNETES_DIR}/pki`;
/** etcd's gRPC "not found", which the gateway returns when the member is already gone. */
const GRPC_NOT_FOUND = 5;

export interface EtcdMember {
  /** uint64 as its decimal string: a JS number would round it. */
  id: string;
  /** Empty for a member added but never started. */
  name: string;
  peerURLs: string[];
}

/** A master by the two things its etcd member carries: kubeadm names it after the node and peers on its IP. */
export interface MasterIdentity {
  name: string;
  ip: string;
}

/** The members of a `/v3/cluster/member/list` answer; throws on anything not shaped like one. */
export function parseMemberList(body: string): EtcdMember[] {
  const doc = JSON.parse(body) as { members?: unknown };
  if (!Array.isArray(doc.members)) throw new Error('the answer has no members list');
  return doc.members.map((raw: unknown) => {
    const m = raw as { ID?: unknown; name?: unknown; peerURLs?: unknown };
    if (typeof m.ID !== 'string' || !/^\d+$/.test(m.ID)) throw new Error(`member ID ${JSON.stringify(m.ID)} is not a decimal string`);
    const peerURLs = Array.isArray(m.peerURLs) ? m.peerURLs.filter((u): u is string => typeof u === 'string') : [];
    return { id: m.ID, name: typeof m.name === 'string' ? m.name : '', peerURLs };
  });
}

function peerHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

function belongsTo(m: EtcdMember, h: MasterIdentity): boolean {
  return (m.name !== '' && m.name === h.name) || m.peerURLs.some((u) => peerHost(u) === h.ip);
}

/**
 * The leaving master's members (by name or by a peer URL on its IP). A member that also fits a
 * master that stays is refused, not removed: taking a staying master's vote would be far worse
 * than leaving a stale one.
 */
export function membersOfLeaving(members: readonly EtcdMember[], leaving: MasterIdentity, staying: readonly MasterIdentity[]): EtcdMember[] {
  const mine = members.filter((m) => belongsTo(m, leaving));
  for (const m of mine) {
    const other = staying.find((s) => belongsTo(m, s));
    if (other) throw new Error(`etcd member ${m.name || m.id} (${m.peerURLs.join(',')}) fits both ${leaving.ip} and ${other.ip}, which stays; not removing it`);
  }
  return mine;
}

interface GatewayAnswer {
  status: number;
  body: string;
}

/** POST a JSON body to the gateway from `cp`, with the etcd client certificate found there. */
async function gateway(cp: HostExec, step: string, path: string, body: object): Promise<GatewayAnswer> {
  // The status goes on a last line of its own, so any curl (no --fail-with-body needed) reports
  // both what etcd said and how.
  const r = await cp.exec(sh([
    'curl', '-sS', '--max-time', '15',
    '--cacert', `${PKI}/etcd/ca.crt`, '--cert', `${PKI}/apiserver-etcd-client.crt`, '--key', `${PKI}/apiserver-etcd-client.key`,
    '-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body),
    '-w', '\n%{http_code}', `${ETCD_LOCAL_CLIENT_URL}${path}`,
  ]));
  if (r.code !== 0) {
    throw new HostError(cp.host, step, `curl ${ETCD_LOCAL_CLIENT_URL}${path}: exit ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  }
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

function errorOf(body: string): { code?: number; error?: string } {
  try {
    return JSON.parse(body) as { code?: number; error?: string };
  } catch {
    return { error: body.trim().slice(0, 200) };
  }
}

/**
 * Remove `leaving`'s etcd member through `cp` (a master that stays). Already gone (kubeadm reset
 * removed it, or an earlier run did) is success. Returns the IDs removed by this call.
 */
export async function removeEtcdMember(cp: HostExec, leaving: MasterIdentity, staying: readonly MasterIdentity[]): Promise<string[]> {
  const list = await gateway(cp, 'etcd member list', '/v3/cluster/member/list', {});
  if (list.status !== 200) throw new HostError(cp.host, 'etcd member list', `HTTP ${list.status}: ${errorOf(list.body).error ?? ''}`);
  let targets: EtcdMember[];
  try {
    targets = membersOfLeaving(parseMemberList(list.body), leaving, staying);
  } catch (e) {
    throw new HostError(cp.host, 'etcd member list', (e as Error).message);
  }
  const removed: string[] = [];
  for (const m of targets) {
    const r = await gateway(cp, `etcd member remove ${leaving.ip}`, '/v3/cluster/member/remove', { ID: m.id });
    if (r.status === 200) {
      removed.push(m.id);
      continue;
    }
    const err = errorOf(r.body);
    if (err.code === GRPC_NOT_FOUND) continue; // removed meanwhile
    throw new HostError(cp.host, `etcd member remove ${leaving.ip}`, `HTTP ${r.status}: ${err.error ?? ''}`);
  }
  return removed;
}
