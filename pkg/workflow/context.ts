// What every workflow's phases share: the cluster as the Clusterfile wants it, the hosts' facts,
// the plan decided from them, the connections, and the one Runtime. A phase reads the plan and the
// facts; it does not probe a host to decide anything again.
import type { Cluster, HostSpec } from '../clusterfile/types.js';
import { HostError } from '../errors/errors.js';
import type { HostExec } from '../host/exec.js';
import type { PhaseContext } from '../phase/types.js';
import type { KeyPool } from '../pki/index.js';
import type { Facts, Plan } from '../plan/index.js';
import type { LoadedRootfs } from '../rootfs/index.js';
import { hasLocalImages } from '../rootfs/index.js';
import { runtimeFor, type HostSettings, type Runtime } from '../runtime/index.js';
import type { SshPool } from '../ssh/index.js';
import type { ClusterState, StateFile } from '../state/index.js';
import type { ResolvedVipMode } from '../vip/index.js';

export interface ClusterRun extends PhaseContext {
  cluster: Cluster;
  /** The Clusterfile's path as given (stored with the state after a successful run). */
  clusterfilePath: string;
  state: ClusterState;
  /** state.json as it was when the run started. */
  previous: StateFile | undefined;
  pool: SshPool;
  execs: Map<string, HostExec>;
  facts: Map<string, Facts>;
  settings: Map<string, HostSettings>;
  pkiDir: string;
  runtime: Runtime;
  rootfs?: LoadedRootfs;
  vipMode?: ResolvedVipMode;
  /** Decided by the decide phase, from the facts. */
  plan?: Plan;
  /** --yes: removing hosts is allowed. */
  yes: boolean;
  /** Not --no-relay: a push to many hosts goes through seeds (pkg/rootfs/relay.ts). */
  relay: boolean;
  /** Keys for a new PKI, generated while the hosts are contacted. */
  keyPool?: KeyPool;
}

export function execOf(ctx: ClusterRun, h: HostSpec): HostExec {
  const x = ctx.execs.get(h.ip);
  if (!x) throw new HostError(h.ip, 'connect', 'not connected');
  return x;
}

export function planOf(ctx: ClusterRun): Plan {
  if (!ctx.plan) throw new Error(`${ctx.cluster.name}: a phase needed the plan before it was decided`);
  return ctx.plan;
}

/** The node name of a host: its gathered hostname, or the one recorded when it joined. */
export function nodeNameOf(ctx: ClusterRun, h: HostSpec): string {
  const name = ctx.facts.get(h.ip)?.hostname ?? ctx.previous?.hosts[h.ip]?.hostname;
  if (!name) throw new HostError(h.ip, 'node name', 'no facts gathered and none recorded');
  return name;
}

/** The run's Runtime, bound to its connections and facts (read when a step needs them, not before). */
export function bindRuntime(ctx: ClusterRun): Runtime {
  return runtimeFor({
    cluster: ctx.cluster,
    exec: (h) => execOf(ctx, h),
    nodeName: (h) => nodeNameOf(ctx, h),
    pkiDir: ctx.pkiDir,
    forEach: async (hosts, fn) => {
      await ctx.forEachHost(hosts, fn);
    },
    proxyMode: () => (ctx.vipMode === 'ipvs' ? 'ipvs' : 'iptables'),
    settings: (h) => ctx.settings.get(h.ip),
    imagesInRootfs: () => (ctx.rootfs ? hasLocalImages(ctx.rootfs.manifest) : false),
    conntrackMaxFixed: () => [...ctx.settings.values()].some((s) => s.conntrackMaxFixed),
  });
}
