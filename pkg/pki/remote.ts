// The PKI on live masters: read expirations, and reissue + push + restart (cert renew / add-san).
import { posix } from 'node:path';
import { readFile } from 'node:fs/promises';
import { masters as mastersOf, nodes as nodesOf, type Cluster, type HostSpec } from '../clusterfile/types.js';
import { HostError, UserError } from '../errors/errors.js';
import { Secret } from '../secret/secret.js';
import { sh } from '../shell/quote.js';
import { forEachHost, requireAllOk, targetOf, type Connection, type SshPool } from '../ssh/index.js';
import { loadCaFromPem } from './ca.js';
import { ensurePki } from './ensure.js';
import { certificateIn, certName, expirationRows, type CertFileText } from './expiration.js';
import { filesForMaster, KUBERNETES_DIR } from './layout.js';
import { CA_NAMES, type CaName } from './specs.js';
import type { CaPair, ExpirationRow, HostIdentity, PkiResult } from './types.js';

const PKI_DIR = `${KUBERNETES_DIR}/pki`;
/** kubeadm's check-expiration lists these kubeconfigs; kubelet.conf is left out (kubelet rotates its own). */
const CHECKED_KUBECONFIGS = ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf'];

/**
 * Expiration rows of every master, read from its /etc/kubernetes; with `localPkiDir`, each row says
 * whether that master has the local PKI's certificate (`local`), so a renewal that did not reach a
 * host, or a certificate changed behind sealts' back, is named.
 */
export async function readExpirationsFromHosts(pool: SshPool, hosts: HostSpec[], concurrency: number, localPkiDir?: string): Promise<ExpirationRow[]> {
  const results = await forEachHost(
    hosts.map(targetOf),
    async (t) => {
      const conn = await pool.connect(t);
      const listed = await conn.exec(sh(['find', KUBERNETES_DIR, '-maxdepth', '3', '-type', 'f', '(', '-name', '*.crt', '-o', '-name', '*.conf', ')']), {
        sudo: true,
        quiet: true,
        step: 'list certificates',
      });
      const paths = listed.stdout
        .split('\n')
        .filter((p) => p.endsWith('.crt') ? p.startsWith(`${PKI_DIR}/`) : CHECKED_KUBECONFIGS.includes(posix.relative(KUBERNETES_DIR, p)));
      const files: CertFileText[] = [];
      for (const p of paths.sort()) files.push({ path: posix.relative(KUBERNETES_DIR, p), text: (await conn.readFile(p, { sudo: true })).toString('utf8') });
      const rows = expirationRows(t.name, files);
      if (localPkiDir === undefined) return rows;
      const local = await localFingerprints(localPkiDir, t.name);
      const served = new Map(files.map((f) => [certName(f.path), local.get(f.path) === undefined ? 'none' : local.get(f.path) === certificateIn(t.name, f).fingerprint256 ? 'same' : 'differs'] as const));
      return rows.map((r): ExpirationRow => ({ ...r, local: served.get(r.name) ?? 'none' }));
    },
    { concurrency },
  );
  return requireAllOk(results).flat();
}

/** sha256 fingerprints of the local PKI's certificates for master `ip`, by their path under /etc/kubernetes. */
async function localFingerprints(pkiDir: string, ip: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of filesForMaster(pkiDir, ip, { initMaster: true, mustExist: false })) {
    if (!f.remote.endsWith('.crt') && !f.remote.endsWith('.conf')) continue;
    const text = await readFile(f.local, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const path = posix.relative(KUBERNETES_DIR, f.remote);
    out.set(path, certificateIn(pkiDir, { path, text }).fingerprint256);
  }
  return out;
}

export interface ReissueOptions {
  cluster: Cluster;
  /** The cluster's local pki dir (state dir's pki/). */
  pkiDir: string;
  pool: SshPool;
  concurrency: number;
  /** Plan names to reissue even when they fit (cert renew); empty for add-san (changed SANs reissue by themselves). */
  renew: ReadonlySet<string>;
  /** How long to wait for a static pod's container to stop when its manifest is moved away. */
  restartWaitSeconds?: number;
}

export interface HostPush {
  host: string;
  /** Remote paths whose content changed. */
  written: string[];
  /** Static pods restarted (and "kubelet"), or skipped because the host has no such manifest. */
  restarted: string[];
  skipped: string[];
}

export interface ReissueResult {
  pki: PkiResult;
  hosts: HostPush[];
}

/**
 * Reissue certificates for a running cluster: gather every host's hostname, adopt the CAs the
 * cluster already uses (read back from master0; a different local CA is refused), run ensurePki,
 * then push each master's files and restart the static pods whose files changed, one master at a
 * time so the control plane stays up.
 */
export async function reissueOnMasters(o: ReissueOptions): Promise<ReissueResult> {
  if (o.cluster.runtime.type !== 'kubeadm') {
    throw new UserError(`cert renew/add-san: ${o.cluster.runtime.type} keeps its own leaf certificates under its data dir; only kubeadm clusters use this layout`);
  }
  const masters = mastersOf(o.cluster);
  const [masterIds, nodeIds] = await Promise.all([hostnamesOf(o.pool, masters, o.concurrency), hostnamesOf(o.pool, nodesOf(o.cluster), o.concurrency)]);
  const master0 = await o.pool.connect(targetOf(masters[0]!));
  const fromCluster = await readClusterCas(master0);
  const pki = await ensurePki(o.pkiDir, o.cluster, masterIds, nodeIds, { ...fromCluster, renew: o.renew });
  const hosts: HostPush[] = [];
  for (const [i, m] of masters.entries()) {
    const conn = await o.pool.connect(targetOf(m));
    hosts.push(await pushToMaster(conn, o.pkiDir, m.ip, i === 0, o.restartWaitSeconds ?? 60));
  }
  return { pki, hosts };
}

async function hostnamesOf(pool: SshPool, hosts: HostSpec[], concurrency: number): Promise<HostIdentity[]> {
  const results = await forEachHost(
    hosts.map(targetOf),
    async (t) => ({ ip: t.ip, hostname: (await (await pool.connect(t)).exec(['hostname'], { step: 'hostname' })).stdout.trim().toLowerCase() }),
    { concurrency },
  );
  return requireAllOk(results);
}

/** The CAs and sa.key master0 holds, when it holds them (a cluster already initialised). */
export async function readClusterCas(conn: Connection): Promise<{ cas?: Partial<Record<CaName, CaPair>>; saKeyPem?: string }> {
  const present = await conn.exec(sh(['test', '-f', `${PKI_DIR}/ca.crt`]), { sudo: true, check: false, step: 'look for the cluster CA' });
  if (present.code !== 0) return {};
  const read = async (name: string) => (await conn.readFile(`${PKI_DIR}/${name}`, { sudo: true })).toString('utf8');
  const cas: Partial<Record<CaName, CaPair>> = {};
  for (const name of CA_NAMES) {
    cas[name] = loadCaFromPem(await read(`${name}.crt`), await read(`${name}.key`), `${conn.target.name}:${PKI_DIR}/${name}`);
  }
  return { cas, saKeyPem: await read('sa.key') };
}

/** Which static pod reads a file under /etc/kubernetes (kubeadm's manifests). */
function consumersOf(remote: string): string[] {
  const rel = posix.relative(KUBERNETES_DIR, remote);
  if (rel === 'controller-manager.conf') return ['kube-controller-manager'];
  if (rel === 'scheduler.conf') return ['kube-scheduler'];
  if (rel === 'kubelet.conf') return ['kubelet'];
  if (rel.startsWith('pki/etcd/')) return rel.endsWith('healthcheck-client.crt') || rel.endsWith('healthcheck-client.key') ? ['etcd'] : ['etcd', 'kube-apiserver'];
  if (rel === 'pki/ca.crt' || rel === 'pki/ca.key' || rel.startsWith('pki/front-proxy-ca') || rel === 'pki/sa.key') return ['kube-apiserver', 'kube-controller-manager'];
  if (rel.startsWith('pki/')) return ['kube-apiserver'];
  return []; // admin.conf, super-admin.conf: read by clients, nothing to restart
}

async function pushToMaster(conn: Connection, pkiDir: string, ip: string, initMaster: boolean, waitSeconds: number): Promise<HostPush> {
  const written: string[] = [];
  for (const f of filesForMaster(pkiDir, ip, { initMaster })) {
    const text = await readFile(f.local, 'utf8');
    // Keys and kubeconfigs travel as Secrets: never logged, scrubbed from any error text.
    const content = f.mode === 0o600 ? new Secret(text) : text;
    if (await conn.writeFile(f.remote, content, f.mode, { sudo: true, step: `push ${f.remote}` })) written.push(f.remote);
  }
  const pods = [...new Set(written.flatMap(consumersOf))].sort();
  const restarted: string[] = [];
  const skipped: string[] = [];
  for (const pod of pods) {
    const r = pod === 'kubelet'
      ? await conn.exec(sh(['sh', '-c', RESTART_KUBELET]), { sudo: true, check: false, step: 'restart kubelet' })
      : await conn.exec(sh(['sh', '-c', RESTART_STATIC_POD, 'sh', pod, String(waitSeconds)]), { sudo: true, check: false, step: `restart ${pod}`, timeoutMs: (waitSeconds + 30) * 1000 });
    if (r.code === 0) restarted.push(pod);
    else if (r.code === 3) skipped.push(pod);
    else throw new HostError(conn.target.name, `restart ${pod}`, `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  }
  // The next master is not touched before this one serves again: with etcd restarted on two masters
  // at once a 3-member cluster loses quorum, and the VIP needs an apiserver that answers.
  if (restarted.includes('kube-apiserver') || restarted.includes('etcd')) {
    const r = await conn.exec(sh(['sh', '-c', WAIT_APISERVER_READY, 'sh', ip, String(waitSeconds * 3)]), { sudo: true, check: false, step: 'wait for the apiserver', timeoutMs: (waitSeconds * 3 + 30) * 1000 });
    if (r.code !== 0) throw new HostError(conn.target.name, 'wait for the apiserver', `${r.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${r.code}`}; the masters after it were left as they were`);
  }
  return { host: conn.target.name, written, restarted, skipped };
}

/**
 * Restart static pod "$1": move its manifest out so kubelet stops it, wait (up to "$2" s) until no
 * container of that name runs, move it back. Running is asked of crictl where there is one, else of
 * containerd itself (ctr: the rootfs ships it, not crictl): a task RUNNING for a container that
 * kubelet labelled with that name. With neither, one kubelet file-check period. Exit 3 when the
 * host has no such manifest (nothing runs it here).
 */
const RESTART_STATIC_POD = [
  'set -e',
  'm=/etc/kubernetes/manifests/$1.yaml',
  '[ -f "$m" ] || exit 3',
  'running() {',
  '  if command -v crictl >/dev/null 2>&1; then [ -n "$(crictl ps -q --name "^$1\\$" 2>/dev/null)" ]; return; fi',
  '  ids=$(ctr -n k8s.io containers ls -q "labels.\\"io.kubernetes.container.name\\"==$1" 2>/dev/null) || return 1',
  '  [ -n "$ids" ] || return 1',
  '  ctr -n k8s.io tasks ls 2>/dev/null | awk -v ids=" $(echo $ids) " \'index(ids, " " $1 " ") && $3 == "RUNNING" { f = 1 } END { exit !f }\'',
  '}',
  'tmp=$(mktemp -d /etc/kubernetes/.sealts-restart-XXXXXX)',
  'trap \'mv -f "$tmp/$1.yaml" "$m" 2>/dev/null; rmdir "$tmp" 2>/dev/null\' EXIT',
  'mv -f "$m" "$tmp/"',
  'if command -v crictl >/dev/null 2>&1 || command -v ctr >/dev/null 2>&1; then',
  '  i=0; while [ "$i" -lt "$2" ] && running "$1"; do sleep 1; i=$((i+1)); done',
  'else',
  '  sleep "$(( $2 < 20 ? $2 : 20 ))"',
  'fi',
].join('\n');

/**
 * Wait (up to "$2" s) until the apiserver on this master ("$1") is ready, etcd included (/readyz
 * checks it), asked with the rootfs' kubectl and admin.conf. Without a running kubelet nothing runs
 * the static pods here (a host only holding the files): nothing to wait for.
 */
const WAIT_APISERVER_READY = [
  'k=/usr/bin/kubectl',
  'systemctl is-active --quiet kubelet 2>/dev/null && [ -x "$k" ] || exit 0',
  'i=0',
  'while [ "$i" -lt "$2" ]; do',
  '  "$k" --kubeconfig /etc/kubernetes/admin.conf --server "https://$1:6443" --request-timeout=5s get --raw /readyz >/dev/null 2>&1 && exit 0',
  '  sleep 1; i=$((i+1))',
  'done',
  'echo "the apiserver on $1 is not ready $2 s after its restart" >&2',
  'exit 1',
].join('\n');

/** Exit 3 when kubelet is not a systemd unit here. */
const RESTART_KUBELET = [
  'command -v systemctl >/dev/null 2>&1 && systemctl cat kubelet >/dev/null 2>&1 || exit 3',
  'systemctl restart kubelet',
].join('\n');
