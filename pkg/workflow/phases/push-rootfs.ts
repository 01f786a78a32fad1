// Push rootfs: the new hosts get their role's part of the image (a node no control-plane image or
// etcd tool), compressed, through relay seeds above a few hosts, and run its init.sh (binaries,
// containerd, CNI, their role's images); members with the same image have it checked (and
// repaired) on the host. Members whose image changes are not touched here: roll-rootfs takes them
// one at a time.
import type { HostSpec } from '../../clusterfile/types.js';
import type { Phase } from '../../phase/types.js';
import { codecFor, distributeRootfs, filesFor, transferBytes, RELAY_SEEDS, RELAY_THRESHOLD, runInitScript, type TargetHost } from '../../rootfs/index.js';
import { hostInputFiles } from '../../runtime/index.js';
import { pauseImage } from '../../versions/index.js';
import { execOf, planOf, type ClusterRun } from '../context.js';

export function roleOf(h: HostSpec): 'master' | 'node' {
  return h.roles.includes('master') ? 'master' : 'node';
}

/** One host as the rootfs distribution sees it: connection, role, the facts that pick codec and relay. */
function targetOf(ctx: ClusterRun, h: HostSpec): TargetHost & { spec: HostSpec } {
  const facts = ctx.facts.get(h.ip);
  return { spec: h, ip: h.ip, exec: execOf(ctx, h), role: roleOf(h), ...(facts ? { facts } : {}) };
}

/**
 * Install the rootfs on `hosts` at once (pkg/rootfs/distribute.ts: compressed, through relay seeds
 * above a few hosts unless --no-relay) and run init.sh where files changed, or on every host when
 * `always` says so, with the files the host's facts decided.
 */
export async function installRootfs(ctx: ClusterRun, hosts: readonly HostSpec[], always: (h: HostSpec) => boolean): Promise<void> {
  await distributeRootfs(ctx.rootfs!, hosts.map((h) => targetOf(ctx, h)), {
    relay: ctx.relay,
    forEach: (targets, fn) => ctx.forEachHost(targets, fn),
    then: async (t, outcome) => {
      if (outcome === 'pushed' || always(t.spec)) await runInitScript(t.exec, t.role, hostInputFiles(ctx.settings.get(t.ip)!, pauseImage(ctx.cluster.runtime.version)));
    },
    onNote: (note) => ctx.info(note),
  });
}

/** The size of what a host's role receives, for the plan: unpacked, and as sent (its codec's copies). */
function sizeOf(ctx: ClusterRun, h: HostSpec): string {
  const files = ctx.rootfs ? filesFor(ctx.rootfs.manifest, roleOf(h)) : [];
  const facts = ctx.facts.get(h.ip);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const full = files.reduce((n, f) => n + f.size, 0);
  if (!facts) return mb(full);
  const codec = codecFor(facts);
  return `${mb(full)}, ${mb(transferBytes(files, codec))} as sent with ${codec}`;
}

export const pushRootfsPhase: Phase<ClusterRun> = {
  title: 'Push rootfs',
  hosts: (ctx) => [...planOf(ctx).install, ...planOf(ctx).verify],
  run: async (ctx) => {
    const p = planOf(ctx);
    const fresh = new Set(p.install);
    await installRootfs(ctx, [...p.install, ...p.verify], (h) => fresh.has(h));
  },
  dryRun: (ctx) => {
    const p = planOf(ctx);
    const all = [...p.install, ...p.verify];
    if (ctx.relay && all.length > RELAY_THRESHOLD) ctx.intent(undefined, `${all.length} hosts: the rootfs goes to up to ${RELAY_SEEDS} seeds from here; the others fetch from a seed (--no-relay: all from here)`);
    for (const h of p.install) ctx.intent(h.ip, `upload the ${roleOf(h)} part of ${ctx.cluster.image} (${sizeOf(ctx, h)}; unchanged files skipped) and run its init.sh (binaries, containerd, CNI plugins, the ${roleOf(h) === 'master' ? 'control-plane and node' : 'node'} images)`);
    for (const h of p.verify) ctx.intent(h.ip, 'same rootfs as installed: check every file on the host, repair what drifted');
  },
};
