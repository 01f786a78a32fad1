// The VIP mode from a node's facts: `auto` picks ipvs where the kernel has IPVS and ipvsadm is
// installed (sealts' checker drives it), else iptables; an explicit `ipvs` on a node that lacks
// either is refused before anything changes, with what is missing. Pure: the facts are gathered once.
import type { VipMode } from '../clusterfile/types.js';

export type ResolvedVipMode = Exclude<VipMode, 'auto'>;

export interface VipModeChoice {
  mode: ResolvedVipMode;
  reason: string;
  /** Set when the Clusterfile's mode cannot work on this node. */
  problem?: string;
}

export interface VipNodeFacts {
  /** The kernel has ip_vs (loaded, or loadable). */
  ipvs: boolean;
  /** ipvsadm is on the node's PATH. */
  ipvsadm: boolean;
}

export function chooseVipMode(mode: VipMode, node: VipNodeFacts): VipModeChoice {
  const missing = [...(node.ipvs ? [] : ['the ip_vs kernel module']), ...(node.ipvsadm ? [] : ['ipvsadm'])];
  if (mode === 'iptables') return { mode, reason: 'vip.mode is iptables in the Clusterfile' };
  if (mode === 'ipvs') {
    const choice: VipModeChoice = { mode, reason: 'vip.mode is ipvs in the Clusterfile' };
    return missing.length === 0 ? choice : { ...choice, problem: `vip.mode ipvs: the node lacks ${missing.join(' and ')}; install ${missing.length > 1 ? 'them' : 'it'} there, or use vip.mode iptables (or auto)` };
  }
  return missing.length === 0
    ? { mode: 'ipvs', reason: 'auto: the kernel has ip_vs and ipvsadm is installed' }
    : { mode: 'iptables', reason: `auto: the node lacks ${missing.join(' and ')}, using iptables DNAT` };
}
