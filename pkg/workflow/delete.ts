// `sealts delete`: remove nodes and masters (drain, reset, clean, Node object, etcd member), or
// --all (reset every host at once, archive the state). The master the removal goes through and
// the apiservers the VIP keeps come from the facts of the masters that stay.
import { masters, type HostSpec } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import type { Phase } from '../phase/types.js';
import type { MemberFacts } from '../runtime/index.js';
import type { ClusterRun } from './context.js';
import { withCluster, type RunFlags } from './open.js';
import { executeRun, startRun } from './run.js';
import { deleteConnect } from './phases/delete-connect.js';
import { deleteDecide } from './phases/delete-decide.js';
import { deleteRemove } from './phases/delete-remove.js';
import { deleteFollow } from './phases/delete-follow.js';
import { deleteSave } from './phases/delete-save.js';

export interface DeleteRun extends ClusterRun {
  /** The hosts leaving. */
  targets: HostSpec[];
  /** Every host the state records (leaving or staying). */
  recorded: HostSpec[];
  staying: HostSpec[];
  members: Map<string, MemberFacts>;
  /** The staying master the removal goes through, and the staying masters serving the apiserver. */
  via?: HostSpec;
  apiServers: HostSpec[];
  force: boolean;
  all: boolean;
}

export const DELETE_PHASES: ReadonlyArray<Phase<DeleteRun>> = [deleteConnect, deleteDecide, deleteRemove, deleteFollow, deleteSave];

export interface DeleteRequest {
  masters: string[];
  nodes: string[];
  all: boolean;
  /** Carry on when a host is unreachable (drop it from the cluster and state anyway). */
  force: boolean;
  flags: RunFlags;
}

/** Strip an `ip:port` form to the IP recorded in the state. */
function ipOf(s: string): string {
  return s.includes(':') ? s.slice(0, s.lastIndexOf(':')) : s;
}

export async function deleteHosts(o: DeleteRequest): Promise<void> {
  await withCluster({ flags: o.flags, lock: true, command: 'delete' }, async (c) => {
    const recorded = c.cluster.hosts.filter((h) => c.stateFile!.hosts[h.ip]);
    const pick = (ips: string[], role: 'master' | 'node') =>
      ips.map(ipOf).map((ip) => {
        const h = recorded.find((x) => x.ip === ip);
        if (!h) throw new UserError(`--${role}s ${ip}: not a host of cluster ${c.cluster.name}`);
        if (!h.roles.includes(role)) throw new UserError(`--${role}s ${ip}: is a ${h.roles.join(',')}, not a ${role}`);
        return h;
      });
    const leavingMasters = pick(o.masters, 'master');
    const targets = o.all ? recorded : [...pick(o.nodes, 'node'), ...leavingMasters];
    if (!o.all && leavingMasters.length > 0 && masters(c.cluster).every((m) => leavingMasters.includes(m) || !c.stateFile!.hosts[m.ip])) {
      throw new UserError('delete: that would remove every master; use --all to delete the cluster');
    }
    const { session, ctx: base } = await startRun(c, { command: 'delete', flags: o.flags });
    const ctx = Object.assign(base, { targets, recorded, staying: [], members: new Map(), apiServers: [], force: o.force, all: o.all }) as DeleteRun;
    await executeRun(session, DELETE_PHASES, ctx);
  });
}
