// The k0s Runtime: the same seam as kubeadm's, to k0s' own command-line contract. Controllers get
// sealts' CAs and service-account key in k0s' PKI dir before k0s first starts (k0s makes its own
// leaf certificates from them, so the admin kubeconfig sealts writes locally works), then
// `k0s install controller` + `k0s start`; a further controller joins with a controller token made
// for it alone, workers in parallel with one worker token. Tokens travel on stdin, sit in a 0600
// file only until the host has joined (then it is overwritten, as k0sctl does: k0s ignores it
// once joined), and are invalidated after use. It decides nothing from the hosts: callers name the
// controller to go through.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { masters, type Cluster, type HostSpec } from '../../clusterfile/types.js';
import { HostError, UserError } from '../../errors/errors.js';
import { execOk, type HostExec } from '../../host/exec.js';
import { putFiles, type PutFile } from '../../host/put-files.js';
import { runCleanScript } from '../../rootfs/push.js';
import { Secret } from '../../secret/secret.js';
import { and, literal, or, sh } from '../../shell/quote.js';
import { API_SERVER_NAME, hostsEntryFile, setHostsEntry } from '../../vip/index.js';
import { drainWithRetries, pollUntilOk, removeHostSteps } from '../remote-steps.js';
import type { EtcdSnapshot, FetchedPkiFile, MemberFacts, RemoveOptions, RenderedConfig, ResetOptions, Runtime, RuntimeDeps } from '../runtime.js';
import { apiPortOf, controllerConfig, toYaml } from './config.js';
import { gatherMemberFacts, MEMBER_FACTS } from './facts.js';
import { ADMIN_CONF, CONFIG, CONTROLLER_UNIT, K0S, LEFTOVERS, PKI_DIR, requiredPorts, ROOT_KUBECONFIG, TOKEN_FILE, TOKEN_SPENT, UNIT_DIR, WORKER_KUBECONFIG, WORKER_UNIT } from './paths.js';
import { createToken, invalidateToken } from './tokens.js';

/** The CA material k0s takes from its PKI dir instead of making its own: local name -> mode. */
const CA_FILES: ReadonlyArray<[string, number]> = [
  ['ca.crt', 0o644], ['ca.key', 0o600],
  ['etcd/ca.crt', 0o644], ['etcd/ca.key', 0o600],
  ['front-proxy-ca.crt', 0o644], ['front-proxy-ca.key', 0o600],
  ['sa.key', 0o600], ['sa.pub', 0o644],
];

/** Stop and reset k0s where a unit is installed; nothing to do where none is (a new or cleaned host). */
const STOP_AND_RESET = literal(
  [
    `[ -f ${UNIT_DIR}/${CONTROLLER_UNIT}.service ] || [ -f ${UNIT_DIR}/${WORKER_UNIT}.service ] || exit 0`,
    `${K0S} stop >/dev/null 2>&1 || true`,
    `exec ${K0S} reset`,
  ].join('\n'),
);

/** `k0s start`, after a `k0s stop` for a unit an interrupted run left running (k0s refuses to start twice). */
const RESTART = and(or(sh([K0S, 'stop']), sh(['true'])), sh([K0S, 'start']));

/** Why sealts does not do `what` for k0s (yet), for the commands that are kubeadm's only. */
export function notForK0s(what: string, instead: string): UserError {
  return new UserError(`${what}: not supported for k0s clusters (spec.runtime.type k0s); ${instead}`);
}

export class K0sRuntime implements Runtime {
  readonly type = 'k0s' as const;
  constructor(private readonly d: RuntimeDeps) {}

  get apiServerPort(): number {
    return apiPortOf(this.cluster);
  }

  private get cluster(): Cluster {
    return this.d.cluster;
  }

  private h(host: HostSpec): HostExec {
    return this.d.exec(host);
  }

  private get readySeconds(): number {
    return Math.ceil((this.d.readyTimeoutMs ?? 240_000) / 1000);
  }

  facts(h: HostExec): Promise<MemberFacts> {
    return gatherMemberFacts(h);
  }

  readonly memberFacts = MEMBER_FACTS;

  /** A controller runs a kubelet only with --enable-worker, which sealts gives a master that is also a node. */
  runsNode(host: HostSpec): boolean {
    return host.roles.includes('node');
  }

  requiredPorts(roles: readonly string[]): readonly number[] {
    return requiredPorts(roles);
  }

  private config(host: HostSpec): string {
    return toYaml(controllerConfig({ cluster: this.cluster, host, masterNames: masters(this.cluster).map((m) => this.d.nodeName(m)), proxyMode: this.d.proxyMode() }));
  }

  /** A controller's config; a worker has none (everything it needs comes with its token). */
  renderConfig(host: HostSpec): RenderedConfig {
    return { files: host.roles.includes('master') ? { [CONFIG]: this.config(host) } : {} };
  }

  private async controllerFiles(host: HostSpec, token?: Secret): Promise<PutFile[]> {
    const ca = await Promise.all(CA_FILES.map(async ([name, mode]) => ({ path: `${PKI_DIR}/${name}`, content: await readFile(join(this.d.pkiDir, name)), mode })));
    return [...ca, { path: CONFIG, content: this.config(host), mode: 0o600 }, ...(token ? [tokenFile(token)] : [])];
  }

  private installArgs(host: HostSpec, joining: boolean): string[] {
    const worker = host.roles.includes('node') ? ['--enable-worker', '--no-taints'] : [];
    // sealts' VIP carries the API port; without konnectivity the apiserver reaches kubelets directly,
    // as in a kubeadm cluster, so the VIP need not carry konnectivity's port too.
    // --force: a host an interrupted run left with the unit installed (not joined) is installed again.
    return ['install', 'controller', '-c', CONFIG, ...worker, '--disable-components=konnectivity-server', ...(joining ? ['--token-file', TOKEN_FILE] : []), '--force'];
  }

  /** Poll the apiserver's /readyz on the controller through k0s' admin kubeconfig. */
  private async waitReady(h: HostExec): Promise<void> {
    await pollUntilOk(h, 'wait for apiserver', this.readySeconds, [K0S, 'kubectl', '--kubeconfig', ADMIN_CONF, 'get', '--raw', '/readyz'], 'the apiserver did not answer /readyz');
  }

  private async adminKubeconfigForRoot(h: HostExec): Promise<void> {
    await execOk(h, 'admin kubeconfig', and(sh(['mkdir', '-p', '/root/.kube']), sh(['install', '-m', '0600', ADMIN_CONF, ROOT_KUBECONFIG])));
  }

  /** The token file overwritten: it holds no secret once the host has joined (or failed to). */
  private async spendToken(h: HostExec): Promise<void> {
    await execOk(h, 'overwrite the join token', sh(['sh', '-c', 'if [ -f "$1" ]; then printf %s "$2" > "$1"; fi', 'sh', TOKEN_FILE, TOKEN_SPENT]));
  }

  async init(master: HostSpec): Promise<void> {
    const h = this.h(master);
    const files = [...(await this.controllerFiles(master)), ...(await hostsEntryFile(h, API_SERVER_NAME, master.ip))];
    await putFiles(h, 'k0s install controller', files, and(sh([K0S, ...this.installArgs(master, false)]), RESTART));
    await this.waitReady(h);
    await this.adminKubeconfigForRoot(h);
  }

  async joinMasters(list: readonly HostSpec[], via: HostSpec): Promise<void> {
    // One at a time, each with a token of its own: a new etcd member must be in before the next joins.
    for (const m of list) {
      const h = this.h(m);
      const token = await createToken(this.h(via), 'controller');
      try {
        // The token names the VIP's name on the k0s API port: until it has joined, that is `via`.
        const toVia = await hostsEntryFile(h, API_SERVER_NAME, via.ip);
        await putFiles(h, 'k0s install controller', [...(await this.controllerFiles(m, token)), ...toVia], and(sh([K0S, ...this.installArgs(m, true)]), RESTART));
        await this.waitReady(h);
      } finally {
        await this.spendToken(h).catch(() => {});
        await invalidateToken(this.h(via), token);
      }
      await setHostsEntry(h, API_SERVER_NAME, m.ip);
      await this.adminKubeconfigForRoot(h);
    }
  }

  async joinNodes(list: readonly HostSpec[], via: HostSpec, opts: { before?(node: HostSpec): Promise<void> } = {}): Promise<void> {
    if (list.length === 0) return;
    const token = await createToken(this.h(via), 'worker');
    try {
      await this.d.forEach(list, async (n) => {
        const h = this.h(n);
        await opts.before?.(n);
        try {
          await putFiles(h, 'k0s install worker', [tokenFile(token)], and(sh([K0S, 'install', 'worker', '--token-file', TOKEN_FILE, '--force']), RESTART));
          await pollUntilOk(h, 'wait for the worker', this.readySeconds, ['test', '-s', WORKER_KUBECONFIG], `k0s worker did not bootstrap its kubelet (${WORKER_KUBECONFIG})`);
        } finally {
          await this.spendToken(h).catch(() => {});
        }
      });
    } finally {
      await invalidateToken(this.h(via), token);
    }
  }

  async kubectl(via: HostSpec, args: readonly string[], opts: { stdin?: string; quiet?: boolean } = {}): Promise<string> {
    return execOk(this.h(via), `kubectl ${args[0] ?? ''}`, sh([K0S, 'kubectl', '--kubeconfig', ADMIN_CONF, ...args]), opts);
  }

  private async nodeExists(via: HostSpec, name: string): Promise<boolean> {
    return (await this.h(via).exec(sh([K0S, 'kubectl', '--kubeconfig', ADMIN_CONF, 'get', 'node', name]))).code === 0;
  }

  /** A controller without a worker is no Node: it has nothing to drain or uncordon. */
  async drain(host: HostSpec, via: HostSpec): Promise<void> {
    if (this.runsNode(host)) await drainWithRetries((args) => this.kubectl(via, args), this.d.nodeName(host));
  }

  async uncordon(host: HostSpec, via: HostSpec): Promise<void> {
    if (this.runsNode(host)) await this.kubectl(via, ['uncordon', this.d.nodeName(host)]);
  }

  /** A new rootfs changed the host's binaries (k0s is one binary): restart its unit, wait until it serves. */
  async restartChanged(host: HostSpec): Promise<void> {
    const h = this.h(host);
    const unit = host.roles.includes('master') ? CONTROLLER_UNIT : WORKER_UNIT;
    await execOk(h, `restart ${unit}`, sh(['systemctl', 'restart', unit]));
    if (host.roles.includes('master')) await this.waitReady(h);
  }

  /** Drain, (`beforeReset`), reset, then delete its Node (a controller without a worker has none). */
  private async removeHost(via: HostSpec, host: HostSpec, o: RemoveOptions, beforeReset?: () => Promise<void>): Promise<void> {
    const name = this.d.nodeName(host);
    await removeHostSteps({
      host,
      o,
      nodeExists: () => this.nodeExists(via, name),
      drain: () => this.drain(host, via),
      beforeReset,
      reset: () => this.reset(host, { beforeReset: o.beforeReset }),
      deleteNode: async () => void (await this.kubectl(via, ['delete', 'node', name])),
    });
  }

  async removeNodes(list: readonly HostSpec[], via: HostSpec, o: RemoveOptions): Promise<void> {
    if (list.length === 0) return;
    await this.d.forEach(list, (n) => this.removeHost(via, n, o));
  }

  /**
   * One controller at a time: drained, its etcd member taken out through `via` (`k0s etcd leave`,
   * before the reset, so the remaining members never count a dead peer), reset, its Node deleted.
   */
  async removeMasters(list: readonly HostSpec[], via: HostSpec, _staying: readonly HostSpec[], o: RemoveOptions): Promise<void> {
    for (const m of list) {
      await this.removeHost(via, m, o, () => this.leaveEtcd(via, m));
    }
  }

  /** Remove `m`'s etcd member through `via`; a member already gone is fine. */
  private async leaveEtcd(via: HostSpec, m: HostSpec): Promise<void> {
    const list = await execOk(this.h(via), 'k0s etcd member-list', sh([K0S, 'etcd', 'member-list']));
    const peers = Object.values((JSON.parse(list) as { members?: Record<string, string> }).members ?? {});
    if (!peers.some((u) => new URL(u).hostname === m.ip)) return;
    await execOk(this.h(via), 'k0s etcd leave', sh([K0S, 'etcd', 'leave', '--peer-address', m.ip]));
  }

  /** The caller's clean-up (its VIP), `k0s stop` + `k0s reset`, then what they leave: the rootfs install, files. */
  async reset(host: HostSpec, opts: ResetOptions = {}): Promise<void> {
    const h = this.h(host);
    await opts.beforeReset?.(host);
    await execOk(h, 'k0s reset', sh(['sh', '-c', STOP_AND_RESET]));
    await runCleanScript(h);
    await execOk(h, 'remove k0s files', and(sh(['rm', '-rf', ...LEFTOVERS]), or(sh(['rmdir', '/root/.kube']), sh(['true']))));
  }

  /**
   * The CAs and service-account key as k0s keeps them, and the admin kubeconfig k0s made (system:masters),
   * named as the local PKI dir does. Output is kept out of the host log.
   */
  async fetchPki(master: HostSpec): Promise<FetchedPkiFile[]> {
    const h = this.h(master);
    const out: FetchedPkiFile[] = [];
    for (const [name, mode] of [...CA_FILES, ['admin.conf', 0o600] as const]) {
      const remote = `${PKI_DIR}/${name}`;
      const r = await h.exec(sh(['base64', '--', remote]), { quiet: true });
      if (r.code !== 0 || !r.stdout.trim()) throw new HostError(master.ip, 'read pki', `${remote} is missing or empty`);
      out.push({ local: name, path: remote, content: Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64'), mode });
    }
    return out;
  }

  upgradeControlPlane(): Promise<void> {
    return Promise.reject(notForK0s('sealts upgrade', 'k0s upgrades itself (its autopilot)'));
  }

  upgradeNodeConfig(): Promise<void> {
    return Promise.reject(notForK0s('sealts upgrade', 'k0s upgrades itself (its autopilot)'));
  }

  etcdSnapshot(): Promise<EtcdSnapshot> {
    return Promise.reject(notForK0s('sealts etcd backup', 'run `k0s backup` on a controller'));
  }

  etcdRestore(): Promise<void> {
    return Promise.reject(notForK0s('sealts etcd restore', 'run `k0s restore` on a controller'));
  }
}

function tokenFile(token: Secret): PutFile {
  return { path: TOKEN_FILE, content: token.reveal(), mode: 0o600 };
}
