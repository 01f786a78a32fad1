// Set up, update and remove the apiserver VIP on a node, in the mode chosen for it. Both modes have
// one shape (their script and files, a `once` that loads the VIP now, the shared watch unit of
// watch.ts, a removal), so setup and removal are one code path over the table below.
import { createHash } from 'node:crypto';
import { and, or, sh, type ShellCommand } from '../shell/quote.js';
import { execOk, type HostExec } from '../host/exec.js';
import type { HostFacts, Tracked } from '../host/facts.js';
import { putFiles, type PutFile } from '../host/put-files.js';
import { hostsEntryCurrent, hostsEntryFile, setHostsEntry } from './hosts-file.js';
import { API_SERVER_NAME } from './check.js';
import type { ResolvedVipMode } from './detect.js';
import { APPLY_SCRIPT, IPTABLES_UNIT, applyCommand, removeCommand, renderApplyScript, type VipTarget } from './iptables.js';
import { IPVS_SCRIPT, IPVS_TARGETS, IPVS_UNIT, ipvsFiles, ipvsOnceCommand, ipvsRemoveCommand } from './ipvs.js';
import { UNIT_FILE, UNIT_NAME, forgetUnitCommand, startWatchCommand, stopWatchCommand } from './watch.js';

export interface VipSetup extends VipTarget {
  mode: ResolvedVipMode;
}

interface Mode {
  /** The script and what it reads (the unit comes from `unit`). */
  files(t: VipTarget): PutFile[];
  unit: string;
  /** Load the VIP now, so a setup that cannot work fails here rather than later in the unit. */
  once(): ShellCommand;
  /** Take the mode's kernel state away; a no-op where there is none. */
  remove(t: VipTarget): ShellCommand;
  /** Every path `files` writes. */
  paths: readonly string[];
}

const MODES: Record<ResolvedVipMode, Mode> = {
  iptables: {
    files: (t) => [{ path: APPLY_SCRIPT, content: renderApplyScript(t), mode: 0o755 }],
    unit: IPTABLES_UNIT,
    once: applyCommand,
    remove: removeCommand,
    paths: [APPLY_SCRIPT],
  },
  ipvs: { files: ipvsFiles, unit: IPVS_UNIT, once: ipvsOnceCommand, remove: ipvsRemoveCommand, paths: [IPVS_SCRIPT, IPVS_TARGETS] },
};

const otherMode = (m: ResolvedVipMode): ResolvedVipMode => (m === 'ipvs' ? 'iptables' : 'ipvs');

/**
 * Make VIP:port reach the masters from this node and point apiserver.cluster.local at the VIP.
 * Idempotent, and the same call updates a node when the masters (or the mode) change.
 */
export async function setupVip(h: HostExec, s: VipSetup): Promise<void> {
  const mode = MODES[s.mode];
  const other = MODES[otherMode(s.mode)];
  // Two round trips: read /etc/hosts, then every file and the commands that load them in one go.
  const hosts = await hostsEntryFile(h, API_SERVER_NAME, s.vip);
  const files = [...mode.files(s), { path: UNIT_FILE, content: mode.unit, mode: 0o644 }, ...hosts];
  // The VIP loads now; the other mode's state goes only then (a node switching modes keeps no stale
  // rules, and the VIP answers throughout); then the unit takes over the health checks.
  await putFiles(h, `vip ${s.mode}`, files, and(mode.once(), other.remove(s), sh(['rm', '-f', ...other.paths]), startWatchCommand()));
}

/** What a node's facts must carry for vipCurrent: every file either mode writes, and the unit. */
export const VIP_TRACKED: Tracked = { files: [...MODES.iptables.paths, ...MODES.ipvs.paths, UNIT_FILE], units: [UNIT_NAME] };

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/**
 * The node already runs this VIP, as far as its facts (VIP_TRACKED) show: the mode's files and unit
 * as setupVip would write them, none of the other mode's, the unit active, and apiserver.cluster.local
 * on the VIP. Then setupVip would change nothing: the unit's watch keeps the kernel's side in step by
 * itself (it reloads rules that went missing, see iptables.ts and ipvs.ts).
 */
export function vipCurrent(f: Pick<HostFacts, 'fileSums' | 'activeUnits' | 'hostsEntries'>, s: VipSetup): boolean {
  const mode = MODES[s.mode];
  const want = [...mode.files(s), { path: UNIT_FILE, content: mode.unit }];
  return want.every((w) => f.fileSums[w.path] === sha256(w.content))
    && MODES[otherMode(s.mode)].paths.every((p) => f.fileSums[p] === undefined)
    && f.activeUnits.includes(UNIT_NAME)
    && hostsEntryCurrent(f.hostsEntries, API_SERVER_NAME, s.vip);
}

/** Undo setupVip completely: both modes' artefacts, whichever are there. */
export async function removeVip(h: HostExec, t: VipTarget): Promise<void> {
  const paths = [...MODES.iptables.paths, ...MODES.ipvs.paths, UNIT_FILE];
  await execOk(
    h,
    'vip remove',
    and(stopWatchCommand(), MODES.iptables.remove(t), MODES.ipvs.remove(t), sh(['rm', '-f', ...paths]), or(sh(['rmdir', '/etc/sealts']), sh(['true'])), forgetUnitCommand()),
  );
  await setHostsEntry(h, API_SERVER_NAME, undefined);
}
