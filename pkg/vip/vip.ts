// Set up, update and remove the apiserver VIP on a node, in the mode chosen for it.
import { and, or, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../runtime/exec.js';
import { putFiles } from '../runtime/put-files.js';
import { hostsEntryFile, setHostsEntry } from './hosts-file.js';
import { API_SERVER_NAME } from './check.js';
import type { ResolvedVipMode } from './detect.js';
import {
  APPLY_SCRIPT, UNIT_FILE, UNIT_NAME, applyCommand, removeCommand, renderApplyScript, renderUnit,
  type VipTarget,
} from './iptables.js';
import { LVSCARE_MANIFEST, ipvsadmCommand, ipvsRemoveCommand, renderLvscareManifest } from './ipvs.js';

export interface VipSetup extends VipTarget {
  mode: ResolvedVipMode;
  /** Image for the lvscare static pod (ipvs mode). */
  lvscareImage?: string;
}

/**
 * Make VIP:port reach the masters from this node and point apiserver.cluster.local at the VIP.
 * Idempotent, and the same call updates a node when the masters change.
 */
export async function setupVip(h: HostExec, s: VipSetup): Promise<void> {
  // Two round trips: read /etc/hosts, then every file and the commands that load them in one go.
  const hosts = await hostsEntryFile(h, API_SERVER_NAME, s.vip);
  if (s.mode === 'iptables') {
    const files = [
      { path: APPLY_SCRIPT, content: renderApplyScript(s), mode: 0o755 },
      { path: UNIT_FILE, content: renderUnit(), mode: 0o644 },
      ...hosts,
    ];
    // The rules load now; then, where systemd runs the host, the unit takes over the health checks
    // (restarted: it reads the new masters). The one daemon-reload, only when the unit file is new.
    const watch = or(
      sh(['test', '!', '-d', '/run/systemd/system']),
      and(
        or(sh(['sh', '-c', 'systemctl show -p NeedDaemonReload "$1" | grep -qx NeedDaemonReload=no', 'sh', UNIT_NAME]), sh(['systemctl', 'daemon-reload'])),
        sh(['systemctl', '--quiet', 'enable', UNIT_NAME]),
        sh(['systemctl', 'restart', UNIT_NAME]),
      ),
    );
    await putFiles(h, 'vip rules', files, and(applyCommand(), watch));
  } else {
    if (!s.lvscareImage) throw new Error('setupVip: ipvs mode needs the lvscare image');
    const files = [{ path: LVSCARE_MANIFEST, content: renderLvscareManifest(s, s.lvscareImage), mode: 0o644 }, ...hosts];
    await putFiles(h, 'vip ipvs', files, ipvsadmCommand(s));
  }
}

/** Undo setupVip completely (both modes' artefacts, whichever are there). */
export async function removeVip(h: HostExec, t: VipTarget): Promise<void> {
  // The watcher first, or it would put the rules back.
  await execOk(h, 'vip remove', or(sh(['test', '!', '-d', '/run/systemd/system']), or(sh(['systemctl', 'disable', '--now', UNIT_NAME]), sh(['true']))));
  await execOk(h, 'vip remove', removeCommand(t));
  await h.exec(ipvsRemoveCommand(t));
  await execOk(h, 'vip remove', sh(['rm', '-f', APPLY_SCRIPT, UNIT_FILE, LVSCARE_MANIFEST]));
  await execOk(h, 'vip remove', and(or(sh(['rmdir', '/etc/sealts']), sh(['true'])), or(sh(['test', '!', '-d', '/run/systemd/system']), sh(['systemctl', 'daemon-reload']))));
  await setHostsEntry(h, API_SERVER_NAME, undefined);
}
