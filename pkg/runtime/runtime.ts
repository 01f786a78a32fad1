// The one contract every cluster runtime (kubeadm, k0s) implements, and the only thing the
// workflows (pkg/workflow) know of a runtime. The workflows decide WHICH hosts change, from the
// plan (pkg/plan), and in which order; a Runtime knows HOW: its facts, ports, config files, PKI
// layout, kubectl and etcd membership. It never probes a host to decide anything: the control plane
// it works through is named by its caller, who chose it from the facts. The VIP is not its business.
import type { Cluster, HostSpec } from '../clusterfile/types.js';
import type { HostExec } from '../host/exec.js';
import type { FactsQuery } from '../host/facts.js';
import type { PutFile } from '../host/put-files.js';
import type { HostSettings } from './host-settings.js';

/** What a host says of its own membership: the facts the plan decides roles from. */
export interface MemberFacts {
  /** The host belongs to a cluster (kubeadm: /etc/kubernetes/kubelet.conf). */
  joined: boolean;
  /** It runs a control plane (kubeadm: the kube-apiserver static pod). */
  controlPlane: boolean;
  /** It holds an etcd member (kubeadm: the etcd static pod). */
  etcdMember: boolean;
  /** sha256 of the cluster CA certificate it trusts. */
  caSha256?: string;
  /** The Kubernetes version its kubelet binary is (vX.Y.Z), when installed. */
  version?: string;
  /** Its node agent (kubeadm: the kubelet unit) is running. */
  kubeletActive: boolean;
  /** The Kubernetes version its control plane runs (kubeadm: the apiserver's image tag), when it runs one. */
  controlPlaneVersion?: string;
}

export interface RuntimeDeps {
  cluster: Cluster;
  /** The host's (already open) connection; throws when it is not connected. */
  exec(host: HostSpec): HostExec;
  /** The node name of a host (its gathered hostname, or the one recorded when it joined). */
  nodeName(host: HostSpec): string;
  /** The local PKI dir (pkg/pki). */
  pkiDir: string;
  /** Runs fn over hosts in parallel, bounded by --concurrency; throws naming every failed host. */
  forEach<T>(hosts: readonly HostSpec[], fn: (h: HostSpec) => Promise<T>): Promise<void>;
  /** kube-proxy's mode: the VIP mode chosen for the cluster. */
  proxyMode(): 'ipvs' | 'iptables';
  /** What a host's facts decided (cgroup v1, resolv.conf): preflight skips and kubelet patches. */
  settings?(host: HostSpec): HostSettings | undefined;
  /** The rootfs carries every image: nothing is pulled. */
  imagesInRootfs?(): boolean;
  /** Some host cannot set nf_conntrack_max: kube-proxy (configured cluster-wide) must leave it. */
  conntrackMaxFixed?(): boolean;
  /** How long to wait for the apiserver's /readyz (ms). */
  readyTimeoutMs?: number;
}

/** A rendered configuration document set, for `sealts plan -o yaml` and for upload. */
export interface RenderedConfig {
  /** File path on the host -> multi-document YAML text. */
  files: Record<string, string>;
}

/** A file of the cluster's PKI as a control plane holds it, for adopting a cluster. */
export interface FetchedPkiFile extends PutFile {
  /** Where it goes in the local PKI dir (relative). */
  local: string;
}

export interface ResetOptions {
  wholeCluster?: boolean;
  /**
   * The caller's own clean-up on the host (its VIP), run after the host was drained and before the
   * reset, whose clean-up removes what is left empty (netfilter tables among it).
   */
  beforeReset?(host: HostSpec): Promise<void>;
}

export interface RemoveOptions extends Omit<ResetOptions, 'wholeCluster'> {
  force: boolean;
  reachable(h: HostSpec): boolean;
}

export interface Runtime {
  readonly type: Cluster['runtime']['type'];
  /** The API server port every node reaches the masters on. */
  readonly apiServerPort: number;

  /** Read-only: the host's membership facts. */
  facts(h: HostExec): Promise<MemberFacts>;
  /** The same read as a query, for gathering it with the host's facts in one command. */
  readonly memberFacts: FactsQuery<MemberFacts>;
  /** Whether the host runs a kubelet, hence is a Node (a k0s controller without a worker is not). */
  runsNode(host: HostSpec): boolean;
  /** TCP ports a new host of these roles must have free. */
  requiredPorts(roles: readonly string[]): readonly number[];
  /** The configuration files init/join would write on `host` (`init`: it is the master init runs on). */
  renderConfig(host: HostSpec, init: boolean): RenderedConfig;

  /** Bring up the first control plane on `master`. */
  init(master: HostSpec): Promise<void>;
  /** Join control-plane hosts strictly one after another, through the running control plane `via`. */
  joinMasters(masters: readonly HostSpec[], via: HostSpec): Promise<void>;
  /**
   * Join worker hosts in parallel, through `via`. `before` runs on each node just before its join
   * (the caller's VIP): a node it fails for does not join, the others go on.
   */
  joinNodes(nodes: readonly HostSpec[], via: HostSpec, opts?: { before?(node: HostSpec): Promise<void> }): Promise<void>;
  /** Drain, reset and delete worker hosts; `force`: unreachable ones are only deleted from the cluster. */
  removeNodes(nodes: readonly HostSpec[], via: HostSpec, opts: RemoveOptions): Promise<void>;
  /** Remove control-plane hosts one at a time, etcd member included, through `via` (which stays). */
  removeMasters(masters: readonly HostSpec[], via: HostSpec, staying: readonly HostSpec[], opts: RemoveOptions): Promise<void>;
  /** Undo everything this runtime made on a host. `wholeCluster`: every host goes at once (delete --all). */
  reset(host: HostSpec, opts?: ResetOptions): Promise<void>;

  /** Cordon and evict a node's pods before its binaries change; `uncordon` after. */
  drain(host: HostSpec, via: HostSpec): Promise<void>;
  uncordon(host: HostSpec, via: HostSpec): Promise<void>;
  /** After the rootfs changed a running host's binaries: restart what runs them, wait until it serves. */
  restartChanged(host: HostSpec, changed: { kubelet: boolean }): Promise<void>;

  /** kubectl with admin credentials on the control plane `via`; throws on a non-zero exit. */
  kubectl(via: HostSpec, args: readonly string[], opts?: { stdin?: string; quiet?: boolean }): Promise<string>;
  /** The cluster's PKI as a control plane holds it (adopting a cluster whose local state was lost). */
  fetchPki(master: HostSpec): Promise<FetchedPkiFile[]>;

  /**
   * On a master whose new binaries and images are installed: its control plane to `version`;
   * `first`: for the whole cluster (kubeadm upgrade apply), else this master (kubeadm upgrade node).
   * Done when its apiserver is ready again.
   */
  upgradeControlPlane(master: HostSpec, version: string, first: boolean): Promise<void>;
  /** On a worker whose new binaries are installed: its kubelet configuration for what the cluster now runs. */
  upgradeNodeConfig(node: HostSpec): Promise<void>;

  /** A consistent snapshot of the cluster's store, from the healthy member on `via`, and the member list. */
  etcdSnapshot(via: HostSpec): Promise<EtcdSnapshot>;
  /** The whole store back to `snapshot` on every master (control plane stopped, restored, started, quorum awaited). */
  etcdRestore(masters: readonly HostSpec[], snapshot: Buffer): Promise<void>;
}

export interface EtcdSnapshot {
  data: Buffer;
  members: Array<{ name: string; peerURLs: string[] }>;
}
