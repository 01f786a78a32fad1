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
import { and, or, sh } from '../../shell/quote.js';
import { removeVip, setHostsEntry, setupVip, writeRemoteFile, API_SERVER_NAME, checkVip, type ResolvedVipMode } from '../../vip/index.js';
import { execOk, type HostExec } from '../exec.js';
import type { RenderedConfig, Runtime } from '../runtime.js';
import { API_SERVER_PORT, initDocuments, joinDocuments, toYaml } from './config.js';
import { ADMIN_CONF, INIT_CONFIG, JOIN_CONFIG, LEFTOVERS, ROOT_KUBECONFIG, TOKEN_CONFIG } from './host-files.js';
import { newBootstrapToken, newCertificateKey, tokenId } from './tokens.js';
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
}

export class KubeadmRuntime implements Runtime {
  readonly type = 'kubeadm' as const;
  constructor(private readonly d: KubeadmDeps) {}

  private get cluster(): Cluster {
    return this.d.cluster;
  }

  renderConfig(cluster: Cluster, host: HostSpec): RenderedConfig {
    const isMaster0 = mastersOf(cluster)[0]?.ip === host.ip;
    const input = { cluster, host, nodeName: this.d.nodeName(host), proxyMode: this.d.vipMode };
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
    return (await h.exec(sh(['test', '-f', `${KUBERNETES_DIR}/kubelet.conf`]))).code === 0 && (await h.exec(sh(['test', '-d', '/var/lib/kubelet']))).code === 0;
  }

  private async pushMasterPki(h: HostExec, host: HostSpec, initMaster: boolean): Promise<void> {
    // kubeadm join refuses to start with a kubelet.conf present (it makes its own via TLS bootstrap).
    const files = filesForMaster(this.d.pkiDir, host.ip, { initMaster }).filter((f) => initMaster || f.remote !== `${KUBERNETES_DIR}/kubelet.conf`);
    for (const f of files) {
      await writeRemoteFile(h, 'push pki', f.remote, await readFile(f.local, 'utf8'), f.mode.toString(8).padStart(4, '0'));
    }
  }

  private async caPem(): Promise<string> {
    return readFile(`${this.d.pkiDir}/ca.crt`, 'utf8');
  }

  private async waitReady(h: HostExec, host = API_SERVER_NAME): Promise<void> {
    const deadline = Date.now() + (this.d.readyTimeoutMs ?? 240_000);
    const probe = sh(['curl', '-sf', '--max-time', '5', '--cacert', `${KUBERNETES_DIR}/pki/ca.crt`, `https://${host}:${API_SERVER_PORT}/readyz`]);
    for (;;) {
      const r = await h.exec(probe);
      if (r.code === 0) return;
      if (Date.now() > deadline) throw new HostError(h.host, 'wait for apiserver', `https://${host}:${API_SERVER_PORT}/readyz did not answer (curl exit ${r.code})`);
      await new Promise((res) => setTimeout(res, 1000));
    }
  }

  private async adminKubeconfigForRoot(h: HostExec): Promise<void> {
    await execOk(h, 'admin kubeconfig', and(sh(['mkdir', '-p', '/root/.kube']), sh(['install', '-m', '0600', ADMIN_CONF, ROOT_KUBECONFIG])));
  }

  async init(master0: HostSpec): Promise<void> {
    const h = await this.d.connect(master0);
    if (await this.isControlPlane(h)) return; // never redo init on a running control plane
    await this.pushMasterPki(h, master0, true);
    await setHostsEntry(h, API_SERVER_NAME, master0.ip);
    const docs = initDocuments({
      cluster: this.cluster,
      host: master0,
      nodeName: this.d.nodeName(master0),
      proxyMode: this.d.vipMode,
      certificateKey: newCertificateKey(),
    });
    await writeRemoteFile(h, 'kubeadm config', INIT_CONFIG, toYaml(docs), '0600');
    try {
      await execOk(h, 'kubeadm init', sh(['kubeadm', 'init', '--config', INIT_CONFIG, '--upload-certs', '--skip-token-print']));
    } finally {
      await h.exec(sh(['rm', '-f', INIT_CONFIG]));
    }
    await this.waitReady(h);
    await this.adminKubeconfigForRoot(h);
  }

  /** A short-lived bootstrap token made on a running master; the caller deletes it after use. */
  private async createToken(cp: HostExec): Promise<Secret> {
    const token = newBootstrapToken();
    const doc = initDocuments({ cluster: this.cluster, host: mastersOf(this.cluster)[0]!, nodeName: 'token', proxyMode: this.d.vipMode, token })[0]!;
    (doc.bootstrapTokens as Array<Record<string, unknown>>)[0]!.ttl = '15m0s';
    await writeRemoteFile(cp, 'kubeadm token', TOKEN_CONFIG, toYaml([doc]), '0600');
    try {
      await execOk(cp, 'kubeadm token create', sh(['kubeadm', 'token', 'create', '--config', TOKEN_CONFIG, '--kubeconfig', ADMIN_CONF]));
    } finally {
      await cp.exec(sh(['rm', '-f', TOKEN_CONFIG]));
    }
    return token;
  }

  private async deleteToken(cp: HostExec, token: Secret): Promise<void> {
    await execOk(cp, 'kubeadm token delete', sh(['kubeadm', 'token', 'delete', tokenId(token), '--kubeconfig', ADMIN_CONF]));
  }

  private async uploadCerts(cp: HostExec): Promise<Secret> {
    const key = newCertificateKey();
    const doc = initDocuments({ cluster: this.cluster, host: mastersOf(this.cluster)[0]!, nodeName: 'upload', proxyMode: this.d.vipMode, certificateKey: key })[0]!;
    await writeRemoteFile(cp, 'upload-certs', TOKEN_CONFIG, toYaml([doc]), '0600');
    try {
      await execOk(cp, 'kubeadm upload-certs', sh(['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs', '--config', TOKEN_CONFIG, '--kubeconfig', ADMIN_CONF]));
    } finally {
      await cp.exec(sh(['rm', '-f', TOKEN_CONFIG]));
    }
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

  private async join(h: HostExec, host: HostSpec, token: Secret, certificateKey: Secret | undefined): Promise<void> {
    const cp = host.roles.includes('master');
    const docs = joinDocuments(
      { cluster: this.cluster, host, nodeName: this.d.nodeName(host), proxyMode: this.d.vipMode, token, certificateKey, caCertHash: caCertHash(await this.caPem()) },
      cp,
    );
    await writeRemoteFile(h, 'kubeadm config', JOIN_CONFIG, toYaml(docs), '0600');
    try {
      await execOk(h, 'kubeadm join', sh(['kubeadm', 'join', '--config', JOIN_CONFIG]));
    } finally {
      await h.exec(sh(['rm', '-f', JOIN_CONFIG]));
    }
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
        await this.pushMasterPki(h, m, false);
        await setHostsEntry(h, API_SERVER_NAME, cp.host.ip);
        await this.join(h, m, token, key);
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
    await setupVip(h, { mode: this.d.vipMode, ...this.vipTarget(masterIps), lvscareImage: this.d.lvscareImage });
    await checkVip(h, { vip: this.cluster.vip.address, port: API_SERVER_PORT, caPem: await this.caPem(), attempts: Math.max(3, 2 * (masterIps ?? mastersOf(this.cluster)).length) });
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
   * Masters go one at a time; deleting the node object also removes its etcd member. Every node's
   * VIP is then rewritten for the masters that remain (the caller passes the remaining nodes).
   */
  async deleteMasters(masters: readonly HostSpec[], force = false, remainingNodes: readonly HostSpec[] = []): Promise<void> {
    const leaving = masters.map((m) => m.ip);
    for (const m of masters) {
      const cp = await this.controlPlane(leaving);
      await this.removeHost(cp.exec, m, force);
    }
    const remaining = mastersOf(this.cluster).map((m) => m.ip).filter((ip) => !leaving.includes(ip));
    await this.d.forEach(remainingNodes, async (n) => this.setupNodeVip(await this.d.connect(n), remaining));
  }

  /** kubeadm reset, then everything it leaves: VIP, hosts entry, rootfs install, files. */
  async reset(host: HostSpec): Promise<void> {
    const h = await this.d.connect(host);
    await execOk(h, 'kubeadm reset', or(sh(['test', '!', '-x', '/usr/bin/kubeadm']), sh(['kubeadm', 'reset', '-f'])));
    await removeVip(h, this.vipTarget());
    await runCleanScript(h);
    await execOk(h, 'remove kubernetes files', and(sh(['rm', '-rf', ...LEFTOVERS]), or(sh(['rmdir', '/root/.kube']), sh(['true']))));
  }
}
