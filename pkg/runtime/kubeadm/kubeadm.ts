// The kubeadm Runtime: its facts, init, masters joined one at a time, nodes in parallel, removal
// (drain, reset, Node object, etcd member), reset, drain around a binary change, kubectl, and the
// PKI read back for adoption. It acts through HostExec and is told every fact and choice it needs
// (node names, the PKI dir, the control plane to go through): it decides nothing from the hosts.
import { readFile } from 'node:fs/promises';
import { posix, relative } from 'node:path';
import type { Cluster, HostSpec } from '../../clusterfile/types.js';
import { HostError } from '../../errors/errors.js';
import { filesForMaster, KUBERNETES_DIR } from '../../pki/layout.js';
import { caCertHash } from '../../pki/fingerprint.js';
import { runCleanScript } from '../../rootfs/push.js';
import { and, literal, or, sh, type ShellCommand } from '../../shell/quote.js';
import { hostsEntryFile, setHostsEntry, API_SERVER_NAME } from '../../vip/index.js';
import { execOk, type HostExec } from '../../host/exec.js';
import { putFiles, type PutFile } from '../../host/put-files.js';
import type { EtcdSnapshot, FetchedPkiFile, MemberFacts, RemoveOptions, RenderedConfig, ResetOptions, Runtime, RuntimeDeps } from '../runtime.js';
import { mustRelease } from '../../versions/index.js';
import { drainWithRetries, pollUntilOk, removeHostSteps } from '../remote-steps.js';
import { API_SERVER_PORT, initDocuments, joinDocuments, KUBELET_PATCH, kubeletPatch, toYaml, type KubeadmInput, type LocalImages } from './config.js';
import { ADMIN_CONF, INIT_CONFIG, JOIN_CONFIG, KUBELET_VERSION_CACHE, LEFTOVERS, ROOT_KUBECONFIG, TOKEN_CONFIG } from './host-files.js';
import { newBootstrapToken, newCertificateKey, tokenId } from './tokens.js';
import { removeEtcdMember } from './etcd-members.js';
import { dropOldData, restoreMember, rollBackRestore, saveSnapshot, startControlPlane, stopControlPlane } from './etcd-snapshot.js';
import { requiredPorts } from './ports.js';
import { upgradeApply, upgradeNode, type UpgradeFlags } from './upgrade.js';
import { gatherMemberFacts, MEMBER_FACTS } from './facts.js';
import { Secret } from '../../secret/secret.js';

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
  readonly apiServerPort = API_SERVER_PORT;
  constructor(private readonly d: RuntimeDeps) {}

  /** The rootfs carries the images: CoreDNS runs the tag built (pkg/versions), nothing is pulled. */
  private get localImages(): LocalImages | undefined {
    return this.d.imagesInRootfs?.() ? { corednsTag: mustRelease(this.cluster.runtime.version).coredns.built } : undefined;
  }

  facts(h: HostExec): Promise<MemberFacts> {
    return gatherMemberFacts(h);
  }

  readonly memberFacts = MEMBER_FACTS;

  /** kubeadm runs a kubelet on every host, masters included. */
  runsNode(): boolean {
    return true;
  }

  requiredPorts(roles: readonly string[]): readonly number[] {
    return requiredPorts(roles);
  }

  private h(host: HostSpec): HostExec {
    return this.d.exec(host);
  }

  private get cluster(): Cluster {
    return this.d.cluster;
  }

  /** The document input every kubeadm config of `host` starts from. */
  private input(host: HostSpec, nodeName = this.d.nodeName(host)): KubeadmInput {
    return { cluster: this.cluster, host, nodeName, proxyMode: this.d.proxyMode(), settings: this.d.settings?.(host), localImages: this.localImages, conntrackMaxFixed: this.d.conntrackMaxFixed?.() };
  }

  /** The host's kubelet patch file, when its facts need one (cgroup v1, resolv.conf). */
  private patchFiles(host: HostSpec): PutFile[] {
    const patch = kubeletPatch(this.d.settings?.(host));
    return patch ? [{ path: KUBELET_PATCH, content: toYaml([patch]), mode: 0o644 }] : [];
  }

  renderConfig(host: HostSpec, init: boolean): RenderedConfig {
    const input = this.input(host);
    if (init) return { files: { [INIT_CONFIG]: toYaml(initDocuments(input)) } };
    // Join documents need a token and CA hash that exist only at apply time: shown as placeholders.
    const placeholder = new Secret('<bootstrap-token>');
    const cp = host.roles.includes('master');
    return {
      files: {
        [JOIN_CONFIG]: toYaml(joinDocuments({ ...input, token: placeholder, caCertHash: 'sha256:<ca-hash>', certificateKey: cp ? new Secret('<certificate-key>') : undefined }, cp)),
      },
    };
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
    await pollUntilOk(h, 'wait for apiserver', seconds, ['curl', '-sf', '--max-time', '5', '--cacert', `${KUBERNETES_DIR}/pki/ca.crt`, url], `${url} did not answer`);
  }

  private async adminKubeconfigForRoot(h: HostExec): Promise<void> {
    await execOk(h, 'admin kubeconfig', and(sh(['mkdir', '-p', '/root/.kube']), sh(['install', '-m', '0600', ADMIN_CONF, ROOT_KUBECONFIG])));
  }

  async init(master: HostSpec): Promise<void> {
    const h = this.h(master);
    const docs = initDocuments({ ...this.input(master), certificateKey: newCertificateKey() });
    const files = [...(await this.masterPkiFiles(master, true)), ...(await hostsEntryFile(h, API_SERVER_NAME, master.ip)), ...this.patchFiles(master), configFile(INIT_CONFIG, toYaml(docs))];
    await putFiles(h, 'kubeadm init', files, thenRemove(INIT_CONFIG, ['kubeadm', 'init', '--config', INIT_CONFIG, '--upload-certs', '--skip-token-print']));
    await this.waitReady(h);
    await this.adminKubeconfigForRoot(h);
  }

  /** A short-lived bootstrap token made on a running master; the caller deletes it after use. */
  private async createToken(via: HostSpec): Promise<Secret> {
    const token = newBootstrapToken();
    const doc = initDocuments({ ...this.input(via, 'token'), token })[0]!;
    (doc.bootstrapTokens as Array<Record<string, unknown>>)[0]!.ttl = '15m0s';
    await putFiles(this.h(via), 'kubeadm token create', [configFile(TOKEN_CONFIG, toYaml([doc]))], thenRemove(TOKEN_CONFIG, ['kubeadm', 'token', 'create', '--config', TOKEN_CONFIG, '--kubeconfig', ADMIN_CONF]));
    return token;
  }

  private async deleteToken(via: HostSpec, token: Secret): Promise<void> {
    await execOk(this.h(via), 'kubeadm token delete', sh(['kubeadm', 'token', 'delete', tokenId(token), '--kubeconfig', ADMIN_CONF]));
  }

  private async uploadCerts(via: HostSpec): Promise<Secret> {
    const key = newCertificateKey();
    const doc = initDocuments({ ...this.input(via, 'upload'), certificateKey: key })[0]!;
    await putFiles(this.h(via), 'kubeadm upload-certs', [configFile(TOKEN_CONFIG, toYaml([doc]))], thenRemove(TOKEN_CONFIG, ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs', '--config', TOKEN_CONFIG, '--kubeconfig', ADMIN_CONF]));
    return key;
  }

  /** `kubeadm join` with its config (removed after), plus any other files that go first. */
  private async join(h: HostExec, host: HostSpec, token: Secret, certificateKey: Secret | undefined, withFiles: PutFile[] = []): Promise<void> {
    const cp = host.roles.includes('master');
    const docs = joinDocuments({ ...this.input(host), token, certificateKey, caCertHash: caCertHash(await this.caPem()) }, cp);
    await putFiles(h, 'kubeadm join', [...withFiles, ...this.patchFiles(host), configFile(JOIN_CONFIG, toYaml(docs))], thenRemove(JOIN_CONFIG, ['kubeadm', 'join', '--config', JOIN_CONFIG]));
  }

  async joinMasters(masters: readonly HostSpec[], via: HostSpec): Promise<void> {
    if (masters.length === 0) return;
    const token = await this.createToken(via);
    try {
      const key = await this.uploadCerts(via);
      // One at a time: each new etcd member must be in before the next one joins (quorum).
      for (const m of masters) {
        const h = this.h(m);
        const toControlPlane = await hostsEntryFile(h, API_SERVER_NAME, via.ip);
        await this.join(h, m, token, key, [...(await this.masterPkiFiles(m, false)), ...toControlPlane]);
        await setHostsEntry(h, API_SERVER_NAME, m.ip);
        await this.waitReady(h);
        await this.adminKubeconfigForRoot(h);
      }
    } finally {
      await this.deleteToken(via, token);
    }
  }

  async joinNodes(nodes: readonly HostSpec[], via: HostSpec, opts: { before?(node: HostSpec): Promise<void> } = {}): Promise<void> {
    if (nodes.length === 0) return;
    const token = await this.createToken(via);
    try {
      await this.d.forEach(nodes, async (n) => {
        await opts.before?.(n);
        await this.join(this.h(n), n, token, undefined);
      });
    } finally {
      await this.deleteToken(via, token);
    }
  }

  async kubectl(via: HostSpec, args: readonly string[], opts: { stdin?: string; quiet?: boolean } = {}): Promise<string> {
    return execOk(this.h(via), `kubectl ${args[0] ?? ''}`, sh(['kubectl', '--kubeconfig', ADMIN_CONF, ...args]), opts);
  }

  private async nodeExists(via: HostSpec, name: string): Promise<boolean> {
    return (await this.h(via).exec(sh(['kubectl', '--kubeconfig', ADMIN_CONF, 'get', 'node', name]))).code === 0;
  }

  async drain(host: HostSpec, via: HostSpec): Promise<void> {
    await drainWithRetries((args) => this.kubectl(via, args), this.d.nodeName(host));
  }

  async uncordon(host: HostSpec, via: HostSpec): Promise<void> {
    await this.kubectl(via, ['uncordon', this.d.nodeName(host)]);
  }

  async restartChanged(host: HostSpec, changed: { kubelet: boolean }): Promise<void> {
    const h = this.h(host);
    if (changed.kubelet) await execOk(h, 'restart kubelet', sh(['systemctl', 'restart', 'kubelet']));
    // A master serves again only once its apiserver (a static pod of the restarted kubelet) is ready.
    if (host.roles.includes('master')) await this.waitReady(h);
  }

  /** Drain, reset, then delete the Node object (from `via`). */
  private async removeHost(via: HostSpec, host: HostSpec, o: RemoveOptions): Promise<void> {
    const name = this.d.nodeName(host);
    await removeHostSteps({
      host,
      o,
      nodeExists: () => this.nodeExists(via, name),
      drain: () => this.drain(host, via),
      reset: () => this.reset(host, { beforeReset: o.beforeReset }),
      deleteNode: async () => void (await this.kubectl(via, ['delete', 'node', name])),
    });
  }

  async removeNodes(nodes: readonly HostSpec[], via: HostSpec, o: RemoveOptions): Promise<void> {
    if (nodes.length === 0) return;
    await this.d.forEach(nodes, (n) => this.removeHost(via, n, o));
  }

  /**
   * Masters go one at a time. After its reset (which removes its own etcd member when it can run)
   * and Node deletion, its etcd member is removed through `via`: deleting the Node does not, and a
   * master forced out unreachable never ran reset.
   */
  async removeMasters(masters: readonly HostSpec[], via: HostSpec, staying: readonly HostSpec[], o: RemoveOptions): Promise<void> {
    const identity = (h: HostSpec) => ({ name: this.d.nodeName(h), ip: h.ip });
    for (const m of masters) {
      await this.removeHost(via, m, o);
      await removeEtcdMember(this.h(via), identity(m), staying.map(identity));
    }
  }

  /**
   * The caller's clean-up (beforeReset: its VIP), kubeadm reset, then everything it leaves: the
   * rootfs install (clean.sh: pods, containerd, mounts, netfilter), files. With
   * `wholeCluster` (delete --all: every master goes at once) the host does not first take its etcd
   * member out: with the other members going too there is no quorum to ask, and kubeadm would retry
   * for minutes.
   */
  async reset(host: HostSpec, opts: ResetOptions = {}): Promise<void> {
    const h = this.h(host);
    await opts.beforeReset?.(host);
    const skip = opts.wholeCluster ? ['--skip-phases', 'remove-etcd-member'] : [];
    await execOk(h, 'kubeadm reset', or(sh(['test', '!', '-x', '/usr/bin/kubeadm']), sh(['kubeadm', 'reset', '-f', ...skip])));
    await runCleanScript(h);
    // The parents only when that leaves them empty: /var/lib/sealts may still hold the rootfs.
    const parents = ['/root/.kube', posix.dirname(KUBELET_VERSION_CACHE)].map((d) => or(sh(['rmdir', d]), sh(['true'])));
    await execOk(h, 'remove kubernetes files', and(sh(['rm', '-rf', ...LEFTOVERS]), ...parents));
  }

  /** What the host's facts decided, as kubeadm upgrade takes it: its kubelet patch, its preflight skips. */
  private upgradeFlags(host: HostSpec): UpgradeFlags {
    const settings = this.d.settings?.(host);
    return { patches: kubeletPatch(settings) !== undefined, ignorePreflightErrors: settings?.cgroupV1 ? ['SystemVerification'] : [] };
  }

  async upgradeControlPlane(master: HostSpec, version: string, first: boolean): Promise<void> {
    const h = this.h(master);
    if (first) await upgradeApply(h, version, this.upgradeFlags(master));
    else await upgradeNode(h, this.upgradeFlags(master));
    await this.waitReady(h);
  }

  async upgradeNodeConfig(node: HostSpec): Promise<void> {
    await upgradeNode(this.h(node), this.upgradeFlags(node));
  }

  etcdSnapshot(via: HostSpec): Promise<EtcdSnapshot> {
    return saveSnapshot(this.h(via));
  }

  /**
   * Every master stops its etcd and apiserver, restores the snapshot as its own member, starts
   * again; done when each master's apiserver is ready (the new quorum serves). A failure after the
   * stop puts every master back on the data it had and restarts it before the error is reported.
   */
  async etcdRestore(masters: readonly HostSpec[], snapshot: Buffer): Promise<void> {
    const all = masters.map((m) => ({ name: this.d.nodeName(m), ip: m.ip }));
    const token = `sealts-restore-${Date.now().toString(36)}`;
    await this.d.forEach(masters, (m) => stopControlPlane(this.h(m)));
    try {
      await this.d.forEach(masters, (m) => restoreMember(this.h(m), snapshot, all.find((a) => a.ip === m.ip)!, all, token));
      await this.d.forEach(masters, (m) => startControlPlane(this.h(m)));
      await this.d.forEach(masters, (m) => this.waitReady(this.h(m)));
    } catch (e) {
      await this.d.forEach(masters, (m) => rollBackRestore(this.h(m))).catch(() => {});
      throw e;
    }
    await this.d.forEach(masters, (m) => dropOldData(this.h(m)));
  }

  /**
   * What adopting a cluster needs from one of its masters: the shared CAs, keys and admin
   * kubeconfig, and this master's own certificates and kubeconfigs, read as kubeadm keeps them and
   * named as the local PKI dir does (pkg/pki/layout). Output is kept out of the host log.
   */
  async fetchPki(master: HostSpec): Promise<FetchedPkiFile[]> {
    // The layout's own list, made against a placeholder dir, names every local <-> remote pair.
    const base = '/sealts-pki-layout';
    const wanted = filesForMaster(base, master.ip, { initMaster: false, mustExist: false }).filter((f) => f.remote !== `${KUBERNETES_DIR}/kubelet.conf`);
    const r = await this.h(master).exec(sh(['sh', '-c', PRINT_FILES_BASE64, 'sh', ...wanted.map((f) => f.remote)]), { quiet: true });
    if (r.code !== 0) throw new HostError(master.ip, 'read pki', `exit ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    const blobs = r.stdout.split('\n--- \n');
    return wanted.map((f, i) => {
      const b64 = blobs[i]?.replace(/\s+/g, '') ?? '';
      if (!b64) throw new HostError(master.ip, 'read pki', `${f.remote} is missing or empty`);
      return { local: relative(base, f.local), path: f.remote, content: Buffer.from(b64, 'base64'), mode: f.mode };
    });
  }
}

/** Each file named in "$@" as base64, separated by "--- " lines; fails when one cannot be read. */
const PRINT_FILES_BASE64 = literal('for f; do base64 -- "$f" || exit 1; echo "--- "; done');
