// The kubeadm Runtime: init master0, join masters one at a time, join nodes in parallel, delete,
// reset. It acts through HostExec (pkg/ssh's connection in production) and takes every fact it needs
// (node names, the PKI dir, the resolved VIP mode) from its caller: it gathers nothing itself.
import { readFile } from 'node:fs/promises';
import type { Cluster, HostSpec } from '../../clusterfile/types.js';
import { masters as mastersOf } from '../../clusterfile/types.js';
import { HostError } from '../../errors/errors.js';
import { filesForMaster, KUBERNETES_DIR } from '../../pki/layout.js';
import { caCertHash } from '../../pki/fingerprint.js';
import { runCleanScript } from '../../rootfs/push.js';
import { and, literal, or, sh, type ShellCommand } from '../../shell/quote.js';
import { removeVip, setHostsEntry, setupVip, hostsEntryFile, API_SERVER_NAME, checkVip, type ResolvedVipMode } from '../../vip/index.js';
import { execOk, type HostExec } from '../exec.js';
import { putFiles, type PutFile } from '../put-files.js';
import type { RenderedConfig, Runtime } from '../runtime.js';
import { API_SERVER_PORT, initDocuments, joinDocuments, KUBELET_PATCH, kubeletPatch, toYaml, type KubeadmInput, type LocalImages } from './config.js';
import type { HostSettings } from '../host-settings.js';
import { ADMIN_CONF, INIT_CONFIG, JOIN_CONFIG, LEFTOVERS, ROOT_KUBECONFIG, TOKEN_CONFIG } from './host-files.js';
import { newBootstrapToken, newCertificateKey, tokenId } from './tokens.js';
import { removeEtcdMember } from './etcd-members.js';
import { Secret } from '../../secret/secret.js';

export interface KubeadmDeps {
  cluster: Cluster;
  /** The (reused) connection to a host. */
  connect(host: HostSpec): Promise<HostExec>;
  /** The node name of a host: its hostname as gathered, lower-cased. */
  nodeName(host: HostSpec): string;
  /** Local pki dir made by pkg/pki's ensurePki. */
  pkiDir: string;
  /** VIP mode resolved for the cluster (auto already decided). */
  vipMode: ResolvedVipMode;
  /** Runs fn over hosts in parallel, bounded by --concurrency; throws naming every failed host. */
  forEach<T>(hosts: readonly HostSpec[], fn: (h: HostSpec) => Promise<T>): Promise<void>;
  /** lvscare image (ipvs mode only). */
  lvscareImage?: string;
  /** How long to wait for /readyz (ms). */
  readyTimeoutMs?: number;
  /** What a host's facts decided (cgroup v1, resolv.conf): kubeadm preflight and kubelet patches. */
  settings?(host: HostSpec): HostSettings | undefined;
  /** The rootfs carries every image (nothing is pulled). */
  localImages?: LocalImages;
  /** Some host cannot set nf_conntrack_max: kube-proxy (configured cluster-wide) must leave it. */
  conntrackMaxFixed?: boolean;
}

/** Run "$2".. every 0.2 s until it succeeds or "$1" seconds have passed (then exit 1, saying its last exit). */
const POLL_UNTIL_OK = literal(
  'end=$(( $(date +%s) + $1 )); shift; while :; do rc=0; "$@" >/dev/null 2>&1 || rc=$?; [ "$rc" -ne 0 ] || exit 0; [ "$(date +%s)" -lt "$end" ] || { echo "last try: exit $rc" >&2; exit 1; }; sleep 0.2; done',
);

/** "$1" is a file to remove after the command in "$2".. ran, whatever its exit (which it keeps). */
const RUN_THEN_REMOVE = literal('f=$1; shift; rc=0; "$@" || rc=$?; rm -f -- "$f"; exit $rc');

/** argv, then the file removed (a config holding a token must not outlive the command). */
function thenRemove(file: string, argv: readonly string[]): ShellCommand {
  return sh(['sh', '-c', RUN_THEN_REMOVE, 'sh', file, ...argv]);
}

function configFile(path: string, docs: string): PutFile {
  return { path, content: docs, mode: 0o600 };
}

export class KubeadmRuntime implements Runtime {
  readonly type = 'kubeadm' as const;
  /** Per node, the VIP (masters list) set up and checked in this run: not redone for the same masters. */
  private readonly vipDone = new Map<string, string>();
  constructor(private readonly d: KubeadmDeps) {}

  private get cluster(): Cluster {
    return this.d.cluster;
  }

  /** The document input every kubeadm config of `host` starts from. */
  private input(host: HostSpec, nodeName = this.d.nodeName(host)): KubeadmInput {
    return { cluster: this.cluster, host, nodeName, proxyMode: this.d.vipMode, settings: this.d.settings?.(host), localImages: this.d.localImages, conntrackMaxFixed: this.d.conntrackMaxFixed };
  }

  /** The host's kubelet patch file, when its facts need one (cgroup v1, resolv.conf). */
  private patchFiles(host: HostSpec): PutFile[] {
    const patch = kubeletPatch(this.d.settings?.(host));
    return patch ? [{ path: KUBELET_PATCH, content: toYaml([patch]), mode: 0o644 }] : [];
  }

  renderConfig(cluster: Cluster, host: HostSpec): RenderedConfig {
    const isMaster0 = mastersOf(cluster)[0]?.ip === host.ip;
    const input = { ...this.input(host), cluster };
    if (isMaster0) return { files: { [INIT_CONFIG]: toYaml(initDocuments(input)) } };
    // Join documents need a token and CA hash that exist only at apply time: shown as placeholders.
    const placeholder = new Secret('<bootstrap-token>');
    const cp = host.roles.includes('master');
    return {
      files: {
        [JOIN_CONFIG]: toYaml(joinDocuments({ ...input, token: placeholder, caCertHash: 'sha256:<ca-hash>', certificateKey: cp ? new Secret('<certificate-key>') : undefined }, cp)),
      },
    };
  }

  /** True when a control plane already runs here (its static pod manifest exists): init must not be redone. */
  async isControlPlane(h: HostExec): Promise<boolean> {
    return (await h.exec(sh(['test', '-f', `${KUBERNETES_DIR}/manifests/kube-apiserver.yaml`]))).code === 0;
  }

  /** True when the host already belongs to a cluster (kubelet.conf written by init/join). */
  async isJoined(h: HostExec): Promise<boolean> {
    return (await h.exec(and(sh(['test', '-f', `${KUBERNETES_DIR}/kubelet.conf`]), sh(['test', '-d', '/var/lib/kubelet'])))).code === 0;
  }

  /** The master's certificates and kubeconfigs, to put with its other files in one go. */
  private async masterPkiFiles(host: HostSpec, initMaster: boolean): Promise<PutFile[]> {
    // kubeadm join refuses to start with a kubelet.conf present (it makes its own via TLS bootstrap).
    const files = filesForMaster(this.d.pkiDir, host.ip, { initMaster }).filter((f) => initMaster || f.remote !== `${KUBERNETES_DIR}/kubelet.conf`);
    return Promise.all(files.map(async (f) => ({ path: f.remote, content: await readFile(f.local), mode: f.mode })));
  }

  private async caPem(): Promise<string> {
    return readFile(`${this.d.pkiDir}/ca.crt`, 'utf8');
  }

  /** Poll /readyz ON the host (every 0.2 s, one remote command) until it answers or time is up. */
  private async waitReady(h: HostExec, host = API_SERVER_NAME): Promise<void> {
    const seconds = Math.ceil((this.d.readyTimeoutMs ?? 240_000) / 1000);
    const url = `https://${host}:${API_SERVER_PORT}/readyz`;
    const probe = ['curl', '-sf', '--max-time', '5', '--cacert', `${KUBERNETES_DIR}/pki/ca.crt`, url];
    const r = await h.exec(sh(['sh', '-c', POLL_UNTIL_OK, 'sh', String(seconds), ...probe]));
    if (r.code !== 0) throw new HostError(h.host, 'wait for apiserver', `${url} did not answer within ${seconds} s (${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`})`);
  }

  private async adminKubeconfigForRoot(h: HostExec): Promise<void> {
    await execOk(h, 'admin kubeconfig', and(sh(['mkdir', '-p', '/root/.kube']), sh(['install', '-m', '0600', ADMIN_CONF, ROOT_KUBECONFIG])));
  }

  async init(master0: HostSpec): Promise<void> {
    const h = await this.d.connect(master0);
    if (await this.isControlPlane(h)) return; // never redo init on a running control plane
    const docs = initDocuments({ ...this.input(master0), certificateKey: newCertificateKey() });
    const files = [...(await this.masterPkiFiles(master0, true)), ...(await hostsEntryFile(h, API_SERVER_NAME, master0.ip)), ...this.patchFiles(master0), configFile(INIT_CONFIG, toYaml(docs))];
    await putFiles(h, 'kubeadm init', files, thenRemove(INIT_CONFIG, ['kubeadm', 'init', '--config', INIT_CONFIG, '--upload-certs', '--skip-token-print']));
    await this.waitReady(h);
    await this.adminKubeconfigForRoot(h);
  }

  /** A short-lived bootstrap token made on a running master; the caller deletes it after use. */
  private async createToken(cp: HostExec): Promise<Secret> {
    const token = newBootstrapToken();
    const doc = initDocuments({ ...this.input(mastersOf(this.cluster)[0]!, 'token'), token })[0]!;
    (doc.bootstrapTokens as Array<Record<string, unknown>>)[0]!.ttl = '15m0s';
    await putFiles(cp, 'kubeadm token create', [configFile(TOKEN_CONFIG, toYaml([doc]))], thenRemove(TOKEN_CONFIG, ['kubeadm', 'token', 'create', '--config', TOKEN_CONFIG, '--kubeconfig', ADMIN_CONF]));
    return token;
  }

  private async deleteToken(cp: HostExec, token: Secret): Promise<void> {
    await execOk(cp, 'kubeadm token delete', sh(['kubeadm', 'token', 'delete', tokenId(token), '--kubeconfig', ADMIN_CONF]));
  }

  private async uploadCerts(cp: HostExec): Promise<Secret> {
    const key = newCertificateKey();
    const doc = initDocuments({ ...this.input(mastersOf(this.cluster)[0]!, 'upload'), certificateKey: key })[0]!;
    await putFiles(cp, 'kubeadm upload-certs', [configFile(TOKEN_CONFIG, toYaml([doc]))], thenRemove(TOKEN_CONFIG, ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs', '--config', TOKEN_CONFIG, '--kubeconfig', ADMIN_CONF]));
    return key;
  }

  /** The master every join talks to: the first master already running a control plane. */
  async controlPlane(exclude: readonly string[] = []): Promise<{ host: HostSpec; exec: HostExec }> {
    for (const m of mastersOf(this.cluster)) {
      if (exclude.includes(m.ip)) continue;
      const h = await this.d.connect(m).catch(() => undefined);
      if (h && (await this.isControlPlane(h))) return { host: m, exec: h };
    }
    throw new HostError(mastersOf(this.cluster)[0]?.ip ?? 'cluster', 'find control plane', 'no master runs a control plane');
  }

  /** `kubeadm join` with its config (removed after), plus any other files that go first. */
  private async join(h: HostExec, host: HostSpec, token: Secret, certificateKey: Secret | undefined, withFiles: PutFile[] = []): Promise<void> {
    const cp = host.roles.includes('master');
    const docs = joinDocuments({ ...this.input(host), token, certificateKey, caCertHash: caCertHash(await this.caPem()) }, cp);
    await putFiles(h, 'kubeadm join', [...withFiles, ...this.patchFiles(host), configFile(JOIN_CONFIG, toYaml(docs))], thenRemove(JOIN_CONFIG, ['kubeadm', 'join', '--config', JOIN_CONFIG]));
  }

  async joinMasters(masters: readonly HostSpec[]): Promise<void> {
    if (masters.length === 0) return;
    const cp = await this.controlPlane(masters.map((m) => m.ip));
    const token = await this.createToken(cp.exec);
    try {
      const key = await this.uploadCerts(cp.exec);
      // One at a time: each new etcd member must be in before the next one joins (quorum).
      for (const m of masters) {
        const h = await this.d.connect(m);
        if (await this.isControlPlane(h)) continue;
        const toControlPlane = await hostsEntryFile(h, API_SERVER_NAME, cp.host.ip);
        await this.join(h, m, token, key, [...(await this.masterPkiFiles(m, false)), ...toControlPlane]);
        await setHostsEntry(h, API_SERVER_NAME, m.ip);
        await this.waitReady(h);
        await this.adminKubeconfigForRoot(h);
      }
    } finally {
      await this.deleteToken(cp.exec, token);
    }
  }

  private vipTarget(masterIps?: readonly string[]) {
    return { vip: this.cluster.vip.address, port: API_SERVER_PORT, masters: masterIps ?? mastersOf(this.cluster).map((m) => m.ip) };
  }

  /** Point a node at the masters through the VIP, then prove it answers TLS as the apiserver. */
  async setupNodeVip(h: HostExec, masterIps?: readonly string[]): Promise<void> {
    const target = this.vipTarget(masterIps);
    const key = `${this.d.vipMode} ${target.masters.join(',')}`;
    if (this.vipDone.get(h.host) === key) return; // set up and checked for these masters in this run
    await setupVip(h, { mode: this.d.vipMode, ...target, lvscareImage: this.d.lvscareImage });
    await checkVip(h, { vip: this.cluster.vip.address, port: API_SERVER_PORT, caPem: await this.caPem() });
    this.vipDone.set(h.host, key);
  }

  async joinNodes(nodes: readonly HostSpec[]): Promise<void> {
    if (nodes.length === 0) return;
    const cp = await this.controlPlane();
    const token = await this.createToken(cp.exec);
    try {
      await this.d.forEach(nodes, async (n) => {
        const h = await this.d.connect(n);
        if (await this.isJoined(h)) return;
        await this.setupNodeVip(h);
        await this.join(h, n, token, undefined);
      });
    } finally {
      await this.deleteToken(cp.exec, token);
    }
  }

  private async kubectl(cp: HostExec, step: string, args: string[]): Promise<string> {
    return execOk(cp, step, sh(['kubectl', '--kubeconfig', ADMIN_CONF, ...args]));
  }

  /** Drain + delete the Node object (from a control plane), then reset the host. */
  private async removeHost(cp: HostExec, host: HostSpec, force: boolean): Promise<void> {
    const name = this.d.nodeName(host);
    const present = (await cp.exec(sh(['kubectl', '--kubeconfig', ADMIN_CONF, 'get', 'node', name]))).code === 0;
    // With --force a host that cannot be reached is only removed from the cluster: it is not drained
    // (its pods would never finish terminating) and cannot be cleaned.
    const reachable = await this.d.connect(host).then(
      () => true,
      (e: unknown) => {
        if (!force) throw e;
        return false;
      },
    );
    if (present && reachable) await this.kubectl(cp, 'drain', ['drain', name, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=120s']);
    if (reachable) {
      try {
        await this.reset(host);
      } catch (e) {
        if (!force) throw e;
      }
    }
    if (present) await this.kubectl(cp, 'delete node', ['delete', 'node', name]);
  }

  async deleteNodes(nodes: readonly HostSpec[], force = false): Promise<void> {
    if (nodes.length === 0) return;
    const cp = await this.controlPlane();
    await this.d.forEach(nodes, (n) => this.removeHost(cp.exec, n, force));
  }

  /**
   * Masters go one at a time. After its reset (which removes its own etcd member when it can run)
   * and Node deletion, its etcd member is removed from a master that stays: deleting the Node does
   * not, and a master forced out unreachable never ran reset. Every node's VIP is then rewritten for
   * the masters that remain (the caller passes the remaining nodes).
   */
  async deleteMasters(masters: readonly HostSpec[], force = false, remainingNodes: readonly HostSpec[] = []): Promise<void> {
    const leaving = masters.map((m) => m.ip);
    const identity = (h: HostSpec) => ({ name: this.d.nodeName(h), ip: h.ip });
    const staying = mastersOf(this.cluster).filter((m) => !leaving.includes(m.ip)).map(identity);
    for (const m of masters) {
      const cp = await this.controlPlane(leaving);
      await this.removeHost(cp.exec, m, force);
      await removeEtcdMember(cp.exec, identity(m), staying);
    }
    const remaining = mastersOf(this.cluster).map((m) => m.ip).filter((ip) => !leaving.includes(ip));
    await this.d.forEach(remainingNodes, async (n) => this.setupNodeVip(await this.d.connect(n), remaining));
  }

  /**
   * kubeadm reset, then everything it leaves: VIP, hosts entry, rootfs install, files. With
   * `wholeCluster` (delete --all: every master goes at once) the host does not first take its etcd
   * member out: with the other members going too there is no quorum to ask, and kubeadm would retry
   * for minutes.
   */
  async reset(host: HostSpec, opts: { wholeCluster?: boolean } = {}): Promise<void> {
    const h = await this.d.connect(host);
    const skip = opts.wholeCluster ? ['--skip-phases', 'remove-etcd-member'] : [];
    await execOk(h, 'kubeadm reset', or(sh(['test', '!', '-x', '/usr/bin/kubeadm']), sh(['kubeadm', 'reset', '-f', ...skip])));
    await removeVip(h, this.vipTarget());
    await runCleanScript(h);
    await execOk(h, 'remove kubernetes files', and(sh(['rm', '-rf', ...LEFTOVERS]), or(sh(['rmdir', '/root/.kube']), sh(['true']))));
  }
}
