// The one contract every cluster runtime (kubeadm now, k0s next) implements. The apply pipeline
// (pkg/plan + pkg/phase) decides WHICH hosts change; a Runtime only knows HOW to change them.
// Ordering rules live here too, because they are runtime facts: masters join one at a time
// (etcd quorum), nodes may join in parallel.
import type { Cluster, HostSpec } from '../clusterfile/types.js';

/** A rendered configuration document set, for `sealts plan -o yaml` and for upload. */
export interface RenderedConfig {
  /** File name on the host (e.g. `kubeadm-init.yaml`) -> multi-document YAML text. */
  files: Record<string, string>;
}

export interface Runtime {
  /** Which runtime this is (matches `Cluster.runtime.type`). */
  readonly type: Cluster['runtime']['type'];

  /** The configuration files `init`/`join` would write, without touching any host. */
  renderConfig(cluster: Cluster, host: HostSpec): RenderedConfig;

  /** Bring up the first control-plane host. Must be a no-op when it already runs this cluster. */
  init(master0: HostSpec): Promise<void>;

  /** Join control-plane hosts strictly one after another; stops at the first failure. */
  joinMasters(masters: readonly HostSpec[]): Promise<void>;

  /** Join worker hosts, in parallel (bounded by the caller's concurrency). */
  joinNodes(nodes: readonly HostSpec[]): Promise<void>;

  /** Remove control-plane hosts (etcd member, node object, host state), one at a time. */
  deleteMasters(masters: readonly HostSpec[]): Promise<void>;

  /** Drain, delete and clean worker hosts. */
  deleteNodes(nodes: readonly HostSpec[]): Promise<void>;

  /**
   * Undo everything this runtime made on a host (reset + cleanup), cluster or not. `wholeCluster`:
   * every host goes at once (delete --all), so none leaves the cluster first.
   */
  reset(host: HostSpec, opts?: { wholeCluster?: boolean }): Promise<void>;
}
