// etcd backup and restore on kubeadm's stacked etcd. Backup: `etcdctl snapshot save` on a healthy
// member (a consistent point-in-time copy through the v3 API), read back over SSH, never logged.
// Restore (all masters, the cluster's whole store goes back in time): the control plane is stopped
// on every master by moving its static pods out of kubelet's sight, each master
// restores the snapshot as its own member (its node name and peer URL, one new cluster token), the
// old data dir is kept aside until the new quorum serves, then the pods go back.
import { HostError } from '../../errors/errors.js';
import { execOk, type HostExec } from '../../host/exec.js';
import { putFiles } from '../../host/put-files.js';
import { KUBERNETES_DIR } from '../../pki/layout.js';
import { and, literal, sh, type ShellCommand } from '../../shell/quote.js';

const PKI = `${KUBERNETES_DIR}/pki`;
const MANIFESTS = `${KUBERNETES_DIR}/manifests`;
/** Where the control plane's static pods wait while etcd is restored (kubelet does not watch it). */
export const PAUSED_MANIFESTS = '/etc/sealts/paused-manifests';
// The whole control plane, not only etcd and the apiserver: the controller manager and scheduler
// would otherwise go on from caches newer than the restored store.
const PAUSED = ['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'];
const DATA_DIR = '/var/lib/etcd';
const SNAPSHOT_ON_HOST = '/var/lib/sealts/etcd-snapshot.db';

const ETCDCTL = ['etcdctl', '--endpoints=https://127.0.0.1:2379', `--cacert=${PKI}/etcd/ca.crt`, `--cert=${PKI}/apiserver-etcd-client.crt`, `--key=${PKI}/apiserver-etcd-client.key`];

export interface EtcdMemberInfo {
  name: string;
  peerURLs: string[];
}

/** "$@" is the etcdctl command: save the snapshot to "$1"'s file, print it as base64, remove it. */
const SAVE_AND_PRINT = literal('f=$1; shift; rm -f -- "$f"; "$@" snapshot save "$f" >&2 || exit 1; base64 -- "$f"; rc=$?; rm -f -- "$f"; exit $rc');

export async function saveSnapshot(h: HostExec): Promise<{ data: Buffer; members: EtcdMemberInfo[] }> {
  const list = JSON.parse(await execOk(h, 'etcd member list', sh([...ETCDCTL, 'member', 'list', '-w', 'json']))) as { members?: Array<{ name?: string; peerURLs?: string[] }> };
  const members = (list.members ?? []).map((m) => ({ name: m.name ?? '', peerURLs: m.peerURLs ?? [] }));
  const r = await h.exec(sh(['sh', '-c', SAVE_AND_PRINT, 'sh', SNAPSHOT_ON_HOST, ...ETCDCTL]), { quiet: true });
  if (r.code !== 0) throw new HostError(h.host, 'etcd snapshot save', `exit ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const data = Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
  if (data.length === 0) throw new HostError(h.host, 'etcd snapshot save', 'the snapshot is empty');
  return { data, members };
}

/** A static pod manifest moved out of kubelet's sight or back; one already moved is no error (a re-run). */
function moveIfPresent(from: string, to: string): ShellCommand {
  return sh(['sh', '-c', 'if [ -f "$1" ]; then mv -f -- "$1" "$2"; fi', 'sh', from, to]);
}

/** Until "$1" seconds pass: succeed once nothing listens on port "$2". */
const WAIT_PORT_FREE = literal('end=$(( $(date +%s) + $1 )); while ss -Htln "sport = :$2" | grep -q .; do [ "$(date +%s)" -lt "$end" ] || { echo "port $2 still in use after $1 s" >&2; exit 1; }; sleep 0.5; done');

/** Take the control plane off this master (kubelet stops its pods) and wait until etcd is gone. */
export async function stopControlPlane(h: HostExec): Promise<void> {
  await execOk(h, 'stop control plane', and(
    sh(['mkdir', '-p', PAUSED_MANIFESTS]),
    ...PAUSED.map((m) => moveIfPresent(`${MANIFESTS}/${m}`, `${PAUSED_MANIFESTS}/${m}`)),
    sh(['sh', '-c', WAIT_PORT_FREE, 'sh', '120', '2379']),
  ));
}

/** "$1" snapshot, "$2" data dir; then etcdutl's restore arguments: restore aside, swap, keep the old dir aside. */
const RESTORE = literal(
  [
    'set -e',
    'snap=$1 dir=$2; shift 2',
    'rm -rf -- "$dir.restore"',
    'etcdutl snapshot restore "$snap" --data-dir "$dir.restore" "$@" >&2',
    'rm -rf -- "$dir.before-restore"',
    'if [ -d "$dir" ]; then mv -- "$dir" "$dir.before-restore"; fi',
    'mv -- "$dir.restore" "$dir"',
    'rm -f -- "$snap"',
  ].join('\n'),
);

export interface RestoreMember {
  name: string;
  ip: string;
}

/** Restore `snapshot` on this master as `self`, in a new cluster of `all` (same names and peer URLs). */
export async function restoreMember(h: HostExec, snapshot: Buffer, self: RestoreMember, all: readonly RestoreMember[], token: string): Promise<void> {
  const peer = (m: RestoreMember) => `https://${m.ip}:2380`;
  const args = ['--name', self.name, '--initial-cluster', all.map((m) => `${m.name}=${peer(m)}`).join(','), '--initial-cluster-token', token, '--initial-advertise-peer-urls', peer(self)];
  await putFiles(h, 'etcd restore', [{ path: SNAPSHOT_ON_HOST, content: snapshot, mode: 0o600 }], sh(['sh', '-c', RESTORE, 'sh', SNAPSHOT_ON_HOST, DATA_DIR, ...args]));
}

/** Give kubelet its static pods back. */
export async function startControlPlane(h: HostExec): Promise<void> {
  await execOk(h, 'start control plane', and(
    ...PAUSED.map((m) => moveIfPresent(`${PAUSED_MANIFESTS}/${m}`, `${MANIFESTS}/${m}`)),
    sh(['rmdir', '--ignore-fail-on-non-empty', PAUSED_MANIFESTS]),
  ));
}

/** After the new quorum serves: the data dir kept aside is no longer needed. */
export async function dropOldData(h: HostExec): Promise<void> {
  await execOk(h, 'etcd restore', sh(['rm', '-rf', `${DATA_DIR}.before-restore`]));
}

/** A restore that failed: the previous data dir goes back where it was (when it had been moved). */
const ROLL_BACK = literal('dir=$1; if [ -d "$dir.before-restore" ]; then rm -rf -- "$dir.failed-restore"; if [ -d "$dir" ]; then mv -- "$dir" "$dir.failed-restore"; fi; mv -- "$dir.before-restore" "$dir"; fi; rm -rf -- "$dir.restore"');

export async function rollBackRestore(h: HostExec): Promise<void> {
  await execOk(h, 'etcd restore roll-back', sh(['sh', '-c', ROLL_BACK, 'sh', DATA_DIR]));
  await startControlPlane(h);
}
