// Set up, update and remove the apiserver VIP on a node, in the mode chosen for it.
import { and, or, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../runtime/exec.js';
import { writeRemoteFile } from './files.js';
import { setHostsEntry } from './hosts-file.js';
import { API_SERVER_NAME } from './check.js';
import type { ResolvedVipMode } from './detect.js';
import {
  APPLY_SCRIPT, RULES_FILE, UNIT_FILE, UNIT_NAME, applyCommand, removeCommand, renderApplyScript, renderRules, renderUnit,
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
  if (s.mode === 'iptables') {
    await writeRemoteFile(h, 'vip rules', RULES_FILE, renderRules(s));
    await writeRemoteFile(h, 'vip rules', APPLY_SCRIPT, renderApplyScript(s), '0755');
    await writeRemoteFile(h, 'vip unit', UNIT_FILE, renderUnit());
    await execOk(h, 'vip apply', applyCommand(s));
    // Enable for boot when systemd runs the host; without systemd the live rules still work.
    await execOk(h, 'vip unit', or(sh(['test', '!', '-d', '/run/systemd/system']), and(sh(['systemctl', 'daemon-reload']), sh(['systemctl', 'enable', UNIT_NAME]))));
  } else {
    await execOk(h, 'vip ipvs', ipvsadmCommand(s));
    if (!s.lvscareImage) throw new Error('setupVip: ipvs mode needs the lvscare image');
    await writeRemoteFile(h, 'vip lvscare', LVSCARE_MANIFEST, renderLvscareManifest(s, s.lvscareImage));
  }
  await setHostsEntry(h, API_SERVER_NAME, s.vip);
}

/** Undo setupVip completely (both modes' artefacts, whichever are there). */
export async function removeVip(h: HostExec, t: VipTarget): Promise<void> {
  await execOk(h, 'vip remove', or(sh(['test', '!', '-d', '/run/systemd/system']), or(sh(['systemctl', 'disable', UNIT_NAME]), sh(['true']))));
  await execOk(h, 'vip remove', removeCommand(t));
  await h.exec(ipvsRemoveCommand(t));
  await execOk(h, 'vip remove', sh(['rm', '-f', RULES_FILE, APPLY_SCRIPT, UNIT_FILE, LVSCARE_MANIFEST]));
  await execOk(h, 'vip remove', and(or(sh(['rmdir', '/etc/sealts']), sh(['true'])), or(sh(['test', '!', '-d', '/run/systemd/system']), sh(['systemctl', 'daemon-reload']))));
  await setHostsEntry(h, API_SERVER_NAME, undefined);
}
