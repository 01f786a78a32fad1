// `sealts delete`: remove nodes and masters (drain, reset, clean, Node object), or --all (reset
// every host in parallel, archive the state). Unreachable hosts are reported; --force drops them.
import { masters as mastersOf, nodes as nodesOf, type Cluster, type HostSpec } from '../../clusterfile/types.js';
import { HostError, UserError } from '../../errors/errors.js';
import { Session } from '../../phase/session.js';
import type { Phase, PhaseContext } from '../../phase/types.js';
import { hostExecOf, targetOf, type SshPool } from '../../ssh/index.js';
import type { ClusterState, StateFile } from '../../state/index.js';
import type { HostExec } from '../exec.js';
import { KubeadmRuntime } from '../kubeadm/kubeadm.js';
import { openApplied, poolFor } from './open-cluster.js';
import { removeHostsFromClusterfile } from './clusterfile-edit.js';
import { resolveVipMode } from '../../vip/index.js';
import { syncPodNetwork } from '../../network/sync.js';

export interface DeleteOptions {
  cluster?: string;
  masters: string[];
  nodes: string[];
  all: boolean;
  force: boolean;
  dryRun: boolean;
  concurrency: number;
  output: 'text' | 'json' | 'yaml';
  debug: boolean;
}

interface DeleteContext extends PhaseContext {
  cluster: Cluster;
  state: ClusterState;
  stateFile: StateFile;
  pool: SshPool;
  execs: Map<string, HostExec>;
  targets: HostSpec[];
  force: boolean;
  all: boolean;
  runtime?: KubeadmRuntime;
  makeRuntime(vipMode: 'ipvs' | 'iptables'): KubeadmRuntime;
}

/** Strip an `ip:port` form to the IP recorded in the state. */
function ipOf(s: string): string {
  return s.includes(':') ? s.slice(0, s.lastIndexOf(':')) : s;
}

function pick(cluster: Cluster, stateFile: StateFile, ips: string[], role: 'master' | 'node'): HostSpec[] {
  return ips.map(ipOf).map((ip) => {
    const h = cluster.hosts.find((x) => x.ip === ip);
    if (!h || !stateFile.hosts[ip]) throw new UserError(`--${role}s ${ip}: not a host of cluster ${cluster.name}`);
    if (!h.roles.includes(role)) throw new UserError(`--${role}s ${ip}: is a ${h.roles.join(',')}, not a ${role}`);
    return h;
  });
}

const connectPhase: Phase<DeleteContext> = {
  title: 'Connect',
  dryRun: (ctx) => ctx.targets.forEach((h) => ctx.intent(h.ip, 'ssh')),
  run: async (ctx) => {
    // The hosts to delete plus the masters (drain/delete node run there).
    const hosts = [...new Map([...ctx.targets, ...mastersOf(ctx.cluster)].map((h) => [h.ip, h])).values()];
    const results = await ctx.forEachHost(hosts, async (h) => ctx.execs.set(h.ip, hostExecOf(await ctx.pool.connect(targetOf(h)))), { tolerateFailures: true });
    for (const r of results) {
      if (r.ok) continue;
      if (!ctx.force) throw new HostError(r.name, 'connect', `${r.error.message} (use --force to remove it anyway)`);
      ctx.warn(`${r.name}: unreachable, removed from the cluster without cleaning it (--force)`);
    }
  },
};

const removePhase: Phase<DeleteContext> = {
  title: 'Remove hosts',
  dryRun: (ctx) => ctx.targets.forEach((h) => ctx.intent(h.ip, ctx.all ? 'kubeadm reset, clean, remove VIP and rootfs' : `drain, kubeadm reset, clean, delete the Node${h.roles.includes('master') ? ', remove its etcd member' : ''}`)),
  run: async (ctx) => {
    const reachable = (hs: HostSpec[]) => hs.filter((h) => ctx.execs.has(h.ip));
    // the VIP mode matters only for rewriting remaining nodes; removal clears both modes' artefacts
    const probe = reachable(nodesOf(ctx.cluster))[0];
    const rt = ctx.makeRuntime(probe ? (await resolveVipMode(ctx.execs.get(probe.ip)!, ctx.cluster.vip.mode)).mode : 'iptables');
    if (ctx.all) {
      await ctx.forEachHost(reachable(ctx.targets), (h) => rt.reset(h, { wholeCluster: true }));
      return;
    }
    const delNodes = ctx.targets.filter((h) => !h.roles.includes('master'));
    const delMasters = ctx.targets.filter((h) => h.roles.includes('master'));
    // Unreachable targets are here only with --force (connect refused them otherwise): the runtime
    // still deletes their Node object (and etcd member), skipping what needs the host itself.
    await rt.deleteNodes(delNodes, ctx.force);
    const remainingNodes = nodesOf(ctx.cluster).filter((n) => !delNodes.some((d) => d.ip === n.ip) && ctx.stateFile.hosts[n.ip]);
    // the remaining nodes' VIP (and every remaining host's pod routes) follow, so connect to them too
    await ctx.forEachHost(remainingNodes, async (h) => {
      if (!ctx.execs.has(h.ip)) ctx.execs.set(h.ip, hostExecOf(await ctx.pool.connect(targetOf(h))));
    });
    if (delMasters.length > 0) await rt.deleteMasters(delMasters, ctx.force, remainingNodes);
    await syncRemaining(ctx, rt);
  },
};

/** The pod network of the hosts that stay no longer routes to the ones removed. */
async function syncRemaining(ctx: DeleteContext, rt: KubeadmRuntime): Promise<void> {
  const gone = new Set(ctx.targets.map((t) => t.ip));
  const staying = ctx.cluster.hosts.filter((h) => !gone.has(h.ip) && ctx.stateFile.hosts[h.ip] && ctx.execs.has(h.ip));
  if (staying.length === 0) return;
  const cp = await rt.controlPlane(ctx.targets.map((t) => t.ip));
  const hosts = staying.map((h) => ({ spec: h, exec: ctx.execs.get(h.ip)!, nodeName: ctx.stateFile.hosts[h.ip]!.hostname ?? h.ip }));
  await syncPodNetwork(ctx.cluster, cp.exec, hosts, (hs, fn) => ctx.forEachHost(hs, fn));
}

const statePhase: Phase<DeleteContext> = {
  title: 'Save state',
  dryRun: (ctx) => ctx.intent(undefined, ctx.all ? 'archive the cluster state' : `drop ${ctx.targets.length} host(s) from state.json`),
  run: async (ctx) => {
    if (ctx.all) {
      ctx.info(`state archived to ${await ctx.state.archive()}`);
      return;
    }
    const hosts = { ...ctx.stateFile.hosts };
    for (const h of ctx.targets) delete hosts[h.ip];
    await ctx.state.write({ ...ctx.stateFile, hosts });
    const text = await ctx.state.readClusterfile();
    if (text !== undefined) await ctx.state.writeClusterfile(removeHostsFromClusterfile(text, ctx.state.clusterfilePath, ctx.targets.map((h) => h.ip)));
  },
};

export async function deleteCluster(o: DeleteOptions): Promise<void> {
  const { state, stateFile, cluster } = await openApplied(o.cluster);
  const masterTargets = pick(cluster, stateFile, o.masters, 'master');
  const nodeTargets = pick(cluster, stateFile, o.nodes, 'node');
  const targets = o.all ? cluster.hosts.filter((h) => stateFile.hosts[h.ip]) : [...nodeTargets, ...masterTargets];
  const remainingMasters = mastersOf(cluster).filter((m) => !masterTargets.some((t) => t.ip === m.ip));
  if (!o.all && masterTargets.length > 0 && remainingMasters.length === 0) {
    throw new UserError('delete: that would remove every master; use --all to delete the cluster');
  }
  const lock = o.dryRun ? undefined : await state.lock();
  const session = await Session.start({ command: 'delete', state, output: o.output, dryRun: o.dryRun, concurrency: o.concurrency, debug: o.debug });
  const pool = await poolFor(state, session.ctx.onLine);
  const execs = new Map<string, HostExec>();
  const pkiDir = await state.pkiDir();
  const ctx: DeleteContext = {
    ...session.ctx,
    cluster,
    state,
    stateFile,
    pool,
    execs,
    targets,
    force: o.force,
    all: o.all,
    makeRuntime: (vipMode) => new KubeadmRuntime({
      cluster,
      connect: async (h) => {
        const x = execs.get(h.ip);
        if (!x) throw new HostError(h.ip, 'connect', 'not connected');
        return x;
      },
      nodeName: (h) => stateFile.hosts[h.ip]?.hostname ?? h.ip,
      pkiDir,
      vipMode,
      forEach: async (hs, fn) => {
        await ctx.forEachHost(hs, fn);
      },
    }),
  };
  try {
    await session.execute([connectPhase, removePhase, statePhase], ctx);
  } finally {
    await pool.closeAll();
    await lock?.release();
  }
}
