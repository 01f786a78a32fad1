// `vip.mode: auto` picks ipvs when the node's kernel has IPVS, else iptables, and says why.
import type { VipMode } from '../clusterfile/types.js';
import { or, sh } from '../shell/quote.js';
import type { HostExec } from '../host/exec.js';

export type ResolvedVipMode = Exclude<VipMode, 'auto'>;

export interface VipModeChoice {
  mode: ResolvedVipMode;
  reason: string;
}

export async function hasIpvs(h: HostExec): Promise<boolean> {
  const r = await h.exec(or(sh(['test', '-d', '/sys/module/ip_vs']), sh(['modprobe', '-q', 'ip_vs'])));
  return r.code === 0;
}

export async function resolveVipMode(h: HostExec, mode: VipMode): Promise<VipModeChoice> {
  if (mode !== 'auto') return { mode, reason: `vip.mode is ${mode} in the Clusterfile` };
  return (await hasIpvs(h))
    ? { mode: 'ipvs', reason: 'auto: the kernel has ip_vs' }
    : { mode: 'iptables', reason: 'auto: the kernel has no ip_vs module, using iptables DNAT' };
}
