// `sealts apply`: the plan's steps (pkg/plan) bound to real work: connect, facts, preflight, rootfs,
// PKI, kubeadm init/join, VIP (with its real check), kubeconfig, state. Re-running converges: hosts
// already in the cluster are detected from their facts and left alone.
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { masters as mastersOf, nodes as nodesOf, type Cluster, type HostSpec } from '../../clusterfile/types.js';
import { HostError, MultiHostError, UserError } from '../../errors/errors.js';
import { Session } from '../../phase/session.js';
import type { PhaseContext } from '../../phase/types.js';
import { planApply, planPhases, type StepRunners } from '../../plan/index.js';
import { ensurePki, KeyPool, keysNeeded } from '../../pki/index.js';
import { parseClusterfile } from '../../clusterfile/index.js';
import { assertBinaryVersions, hasLocalImages, hostArch, loadRootfs, MANIFEST_FILE, pushRootfs, runInitScript, type LoadedRootfs } from '../../rootfs/index.js';
import { hostExecOf, SshPool, targetOf } from '../../ssh/index.js';
import { openState, type ClusterState, type StateFile } from '../../state/index.js';
import { emptyState } from '../../state/schema.js';
import { writeFileAtomic } from '../../state/atomic.js';
import { resolveVipMode, type ResolvedVipMode } from '../../vip/index.js';
import type { HostExec } from '../exec.js';
import { KubeadmRuntime } from '../kubeadm/kubeadm.js';
import { gatherFacts, type HostFacts } from './facts.js';
import { hostInputFiles, hostSettings, type HostSettings } from '../host-settings.js';
import { syncPodNetwork } from '../../network/sync.js';
import { mustRelease, pauseImage } from '../../versions/index.js';
import { preflightProblems } from './preflight.js';
import { localKubeconfig } from './kubeconfig.js';
import { absolutizePaths } from './clusterfile-edit.js';

export interface ApplyOptions {
  clusterfilePath: string;
  cluster: Cluster;
  dryRun: boolean;
  concurrency: number;
  output: 'text' | 'json' | 'yaml';
  debug: boolean;
  yes: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface ApplyContext extends PhaseContext {
  cluster: Cluster;
  state: ClusterState;
  previous: StateFile | undefined;
  pool: SshPool;
  execs: Map<string, HostExec>;
  facts: Map<string, HostFacts>;
  rootfs?: LoadedRootfs;
  pkiDir: string;
  vipMode?: ResolvedVipMode;
  runtime?: KubeadmRuntime;
  yes: boolean;
  clusterfilePath: string;
  /** Keys for a new PKI, generated while hosts are contacted (only when there is no PKI yet). */
  keyPool?: KeyPool;
  /** What each host's facts decided (cgroup v1, oom_score_adj, resolv.conf). */
  settings: Map<string, HostSettings>;
}

function exec(ctx: ApplyContext, h: HostSpec): HostExec {
  const x = ctx.execs.get(h.ip);
  if (!x) throw new HostError(h.ip, 'connect', 'not connected');
  return x;
}

function runtimeOf(ctx: ApplyContext): KubeadmRuntime {
  if (!ctx.runtime) {
    if (!ctx.vipMode) throw new Error('apply: VIP mode not resolved before the runtime was needed');
    ctx.runtime = new KubeadmRuntime({
      cluster: ctx.cluster,
      connect: async (h) => exec(ctx, h),
      nodeName: (h) => {
        // hosts being removed are not in this run's facts: their name was recorded when they joined
        const name = ctx.facts.get(h.ip)?.hostname ?? ctx.previous?.hosts[h.ip]?.hostname;
        if (!name) throw new HostError(h.ip, 'node name', 'no facts gathered and none recorded');
        return name;
      },
      pkiDir: ctx.pkiDir,
      vipMode: ctx.vipMode,
      forEach: async (hosts, fn) => {
        await ctx.forEachHost(hosts, fn);
      },
      settings: (h) => ctx.settings.get(h.ip),
      conntrackMaxFixed: [...ctx.settings.values()].some((s) => s.conntrackMaxFixed),
      localImages: ctx.rootfs && hasLocalImages(ctx.rootfs.manifest) ? { corednsTag: mustRelease(ctx.cluster.runtime.version).coredns.built } : undefined,
    });
  }
  return ctx.runtime;
}

/** The rootfs must be the Clusterfile's version, and its binaries must be what its manifest says. */
async function checkRootfsVersion(ctx: ApplyContext, rootfs: LoadedRootfs): Promise<void> {
  const want = ctx.cluster.runtime.version;
  if (rootfs.manifest.kubernetesVersion !== want) {
    throw new UserError(`${ctx.cluster.image}: the rootfs is Kubernetes ${rootfs.manifest.kubernetesVersion}, the Clusterfile asks for ${want} (spec.runtime.version)`);
  }
  // The binaries can be asked directly when they run here (same arch as this machine).
  if (rootfs.manifest.arch === hostArch()) await assertBinaryVersions(join(rootfs.dir, 'bin'), want, `${ctx.cluster.image}: its binaries`);
}

export const applyRunners: StepRunners<ApplyContext> = {
  connect: async (ctx) => {
    await ctx.forEachHost(ctx.cluster.hosts, async (h) => {
      ctx.execs.set(h.ip, hostExecOf(await ctx.pool.connect(targetOf(h))));
    });
  },

  'gather-facts': async (ctx) => {
    await ctx.forEachHost(ctx.cluster.hosts, async (h) => {
      ctx.facts.set(h.ip, await gatherFacts(exec(ctx, h)));
    });
    ctx.rootfs = await loadRootfs(ctx.cluster.image);
    await checkRootfsVersion(ctx, ctx.rootfs);
    for (const h of ctx.cluster.hosts) {
      const s = hostSettings(h, ctx.facts.get(h.ip)!);
      ctx.settings.set(h.ip, s);
      for (const note of s.notes) ctx.info(`${h.ip}: ${note}`);
    }
    const caPem = await readFile(join(ctx.pkiDir, 'ca.crt'), 'utf8').catch(() => undefined);
    const problems = preflightProblems({ cluster: ctx.cluster, facts: ctx.facts, imageArch: ctx.rootfs.manifest.arch, caPem });
    for (const h of ctx.cluster.hosts) if ((ctx.facts.get(h.ip)?.swapDevices ?? 0) > 0) ctx.warn(`${h.ip}: swap is on; kubelet needs failSwapOn: false or swap off`);
    if (problems.length > 0) throw new MultiHostError(problems.map((p) => ({ host: p.host, error: new Error(`preflight: ${p.problem}`) })));
    // The VIP mode is decided on a node (where it runs); a cluster of masters only has no VIP to run.
    const probe = nodesOf(ctx.cluster)[0] ?? mastersOf(ctx.cluster)[0]!;
    const choice = await resolveVipMode(exec(ctx, probe), ctx.cluster.vip.mode);
    ctx.vipMode = choice.mode;
    ctx.info(`VIP mode ${choice.mode} (${choice.reason})`);
  },

  'push-rootfs': async (ctx) => {
    const rootfs = ctx.rootfs!;
    await ctx.forEachHost(ctx.cluster.hosts, async (h) => {
      const x = exec(ctx, h);
      const outcome = await pushRootfs(x, rootfs);
      // init.sh is idempotent, but a host already in the cluster with an unchanged image needs nothing.
      if (outcome === 'pushed' || !ctx.facts.get(h.ip)?.joined) {
        const role = h.roles.includes('master') ? 'master' : 'node';
        await runInitScript(x, role, hostInputFiles(ctx.settings.get(h.ip)!, pauseImage(ctx.cluster.runtime.version)));
      }
    });
  },

  certs: async (ctx) => {
    const ident = (hs: HostSpec[]) => hs.map((h) => ({ ip: h.ip, hostname: ctx.facts.get(h.ip)!.hostname }));
    // No per-node kubelet.conf: `kubeadm join` refuses a pre-made one and gets its own through TLS
    // bootstrap, so generating them would cost one key per node for files nobody reads.
    // (`sealts cert generate` still writes them, for inspection.)
    const r = await ensurePki(ctx.pkiDir, ctx.cluster, ident(mastersOf(ctx.cluster)), [], { keyPool: ctx.keyPool });
    ctx.info(`pki: ${r.changed.length} written, ${r.kept.length} kept`);
  },

  'init-master0': async (ctx) => {
    await runtimeOf(ctx).init(mastersOf(ctx.cluster)[0]!);
  },

  'join-masters': async (ctx, step) => {
    const ips = new Set(step.hosts.map((h) => h.host));
    await runtimeOf(ctx).joinMasters(mastersOf(ctx.cluster).filter((m) => ips.has(m.ip)));
  },

  'join-nodes': async (ctx, step) => {
    const ips = new Set(step.hosts.map((h) => h.host));
    await runtimeOf(ctx).joinNodes(nodesOf(ctx.cluster).filter((n) => ips.has(n.ip)));
  },

  vip: async (ctx) => {
    // Idempotent: rewrites the rules for the current masters and proves each node reaches them.
    const rt = runtimeOf(ctx);
    await ctx.forEachHost(nodesOf(ctx.cluster), async (n) => rt.setupNodeVip(exec(ctx, n)));
  },

  'pod-network': async (ctx) => {
    const cp = await runtimeOf(ctx).controlPlane();
    const hosts = ctx.cluster.hosts.map((h) => ({ spec: h, exec: exec(ctx, h), nodeName: ctx.facts.get(h.ip)!.hostname }));
    await syncPodNetwork(ctx.cluster, cp.exec, hosts, (hs, fn) => ctx.forEachHost(hs, fn));
  },

  'delete-hosts': async (ctx, step) => {
    const ips = step.hosts.map((h) => h.host);
    if (!ctx.yes) throw new UserError(`apply would remove ${ips.join(', ')} (no longer in the Clusterfile): re-run with --yes`);
    // Their SSH settings and roles come from the Clusterfile they were applied with.
    const text = await ctx.state.readClusterfile();
    if (text === undefined) throw new UserError(`cannot remove ${ips.join(', ')}: no stored Clusterfile in ${ctx.state.dir}`);
    const old = parseClusterfile(text, ctx.state.clusterfilePath, { baseDir: ctx.state.dir });
    const leaving = old.hosts.filter((h) => ips.includes(h.ip));
    await ctx.forEachHost(leaving, async (h) => {
      ctx.execs.set(h.ip, hostExecOf(await ctx.pool.connect(targetOf(h))));
    });
    const rt = runtimeOf(ctx);
    await rt.deleteNodes(leaving.filter((h) => !h.roles.includes('master')));
    const leavingMasters = leaving.filter((h) => h.roles.includes('master'));
    if (leavingMasters.length > 0) await rt.deleteMasters(leavingMasters, false, nodesOf(ctx.cluster));
  },

  kubeconfig: async (ctx) => {
    const master0 = mastersOf(ctx.cluster)[0]!;
    const text = await localKubeconfig(ctx.pkiDir, ctx.cluster.name, `https://${master0.ip}:6443`);
    await writeFileAtomic(join(ctx.state.dir, 'admin.conf'), text, { mode: 0o600 });
  },

  'save-state': async (ctx) => {
    const now = new Date().toISOString();
    const prev = ctx.previous ?? emptyState(ctx.cluster.name);
    const hosts: StateFile['hosts'] = {};
    for (const h of ctx.cluster.hosts) {
      const f = ctx.facts.get(h.ip)!;
      hosts[h.ip] = { roles: h.roles, hostname: f.hostname, machineId: f.machineId, joinedAt: prev.hosts[h.ip]?.joinedAt ?? now };
    }
    await ctx.state.write({ ...prev, hosts, runtime: { ...ctx.cluster.runtime }, rootfsHash: ctx.rootfs ? await manifestHash(ctx.rootfs) : prev.rootfsHash });
    const text = await readFile(ctx.clusterfilePath, 'utf8');
    await ctx.state.writeClusterfile(absolutizePaths(text, ctx.clusterfilePath, dirname(resolve(ctx.clusterfilePath))));
  },
};

async function fileExists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

async function manifestHash(r: LoadedRootfs): Promise<string> {
  return createHash('sha256').update(await readFile(join(r.dir, MANIFEST_FILE))).digest('hex');
}

export async function applyCluster(o: ApplyOptions): Promise<void> {
  const state = openState(o.cluster.name);
  const previous = await state.read();
  const steps = planApply(o.cluster, previous);
  const removing = steps.find((s) => s.id === 'delete-hosts' && s.needed);
  // Refuse before touching anything, not half-way through the run.
  if (removing && !o.yes && !o.dryRun) {
    throw new UserError(`apply would remove ${removing.hosts.map((h) => h.host).join(', ')} (no longer in the Clusterfile): re-run with --yes`);
  }
  const lock = o.dryRun ? undefined : await state.lock();
  const knownHosts = await state.knownHostsPath();
  const session = await Session.start({ command: 'apply', state, output: o.output, dryRun: o.dryRun, concurrency: o.concurrency, debug: o.debug, stdout: o.stdout, stderr: o.stderr });
  const pool = new SshPool({ knownHostsFiles: [join(homedir(), '.ssh', 'known_hosts'), knownHosts], recordUnknownTo: knownHosts, onLine: session.ctx.onLine });
  const ctx: ApplyContext = {
    ...session.ctx,
    cluster: o.cluster,
    state,
    previous,
    pool,
    execs: new Map(),
    facts: new Map(),
    pkiDir: await state.pkiDir(),
    yes: o.yes,
    clusterfilePath: o.clusterfilePath,
    settings: new Map(),
  };
  // A first apply needs every key: they depend on nothing from the hosts, so the thread pool
  // makes them while SSH connects, facts come in and the rootfs is pushed.
  if (!o.dryRun && !(await fileExists(join(ctx.pkiDir, 'ca.key')))) {
    ctx.keyPool = new KeyPool(o.cluster.pki.keyAlgorithm, keysNeeded(mastersOf(o.cluster).length, 0));
  }
  try {
    await session.execute(planPhases(steps, applyRunners), ctx);
  } finally {
    await ctx.rootfs?.close();
    await pool.closeAll();
    await lock?.release();
  }
}
