// VIP in ipvs mode: an IPVS virtual server VIP:port, round robin over the masters as masqueraded
// real servers, and the VIP bound on a dummy link so the kernel takes packets to it as its own and
// IPVS sees them. The health check is sealts' own (lvscare and kube-vip need an image sealts cannot
// provide): the shared unit (watch.ts) runs this script `once`, then `watch`, which keeps the real
// servers to the masters whose /readyz answers. kube-proxy leaves this virtual server alone
// (ipvs.excludeCIDRs, pkg/runtime/kubeadm/config.ts).
//
// The script is a constant. The values reach it as a file of lines (the targets), read with
// `read -r` and never parsed as shell: the same file serves the setup's `once` and the unit's
// `watch`, and the unit file carries no values.
import { literal, quote, sh, type ShellCommand } from '../shell/quote.js';
import type { PutFile } from '../host/put-files.js';
import type { VipTarget } from './iptables.js';
import { HEALTH_FUNCTIONS, renderUnit } from './watch.js';

export const IPVS_SCRIPT = '/etc/sealts/vip-ipvs.sh';
export const IPVS_TARGETS = '/etc/sealts/vip-ipvs.targets';
/** The dummy link that holds the VIP; sealts' own, so removing it removes the address too. */
export const LINK = 'sealts-vip';

/**
 * "$1": `once` (real servers: every master) or `watch` (every 2 s: the masters `healthy` keeps in,
 * fail open as in iptables mode); "$2": the targets file. Real servers are added before stale ones go,
 * so the service never empties while the masters change; each round compares with what
 * `ipvsadm -L` shows, so a flushed table comes back by itself.
 */
export const IPVS_SCRIPT_TEXT = literal(
  [
    '#!/bin/sh',
    '# The sealts apiserver VIP (ipvs mode). Written by sealts; do not edit.',
    '# Usage: vip-ipvs.sh once|watch TARGETS (the VIP, the port, then one master a line).',
    'set -u -f',
    'case "$# ${1:-}" in "2 once" | "2 watch") ;; *) echo "usage: $0 once|watch TARGETS" >&2; exit 2 ;; esac',
    'command -v ipvsadm >/dev/null 2>&1 || { echo "$0: ipvs mode needs ipvsadm on the node" >&2; exit 1; }',
    '{ read -r VIP && read -r PORT && MASTERS=$(cat); } < "$2" || { echo "$0: cannot read $2" >&2; exit 2; }',
    'MASTERS=$(echo $MASTERS)',
    '[ -n "$MASTERS" ] || { echo "$0: no masters in $2" >&2; exit 2; }',
    `VS=$VIP:$PORT LINK=${quote(LINK)}`,
    String(HEALTH_FUNCTIONS),
    // Each step only when missing: the watch runs it every 2 s and a round that finds all in
    // place changes nothing.
    'bind() {',
    '  link=$(ip link show "$LINK" 2>/dev/null) || { ip link add "$LINK" type dummy || return; link=; }',
    '  ip -4 -o addr show dev "$LINK" | grep -qF " $VIP/32 " || ip addr add "$VIP/32" dev "$LINK" || return',
    '  case $link in *"<UP,"* | *",UP,"* | *",UP>"* | *"<UP>"*) ;; *) ip link set "$LINK" up ;; esac',
    '}',
    'servers() {',
    '  out=$(ipvsadm -L -n -t "$VS" 2>/dev/null) || { ipvsadm -A -t "$VS" -s rr || return; out=; }',
    '  have=" $(echo $(printf "%s\\n" "$out" | awk \'$1 == "->" && $2 ~ /^[0-9]/ { print $2 }\')) "',
    '  want=" "; for m; do want="$want$m:$PORT "; done',
    '  for r in $want; do case $have in *" $r "*) ;; *) ipvsadm -a -t "$VS" -r "$r" -m || return ;; esac; done',
    '  for r in $have; do case $want in *" $r "*) ;; *) ipvsadm -d -t "$VS" -r "$r" || return ;; esac; done',
    '}',
    'load() { bind && servers "$@"; }',
    'case $1 in',
    '  once) load $MASTERS ;;',
    '  watch) cur=; while :; do healthy; set -- $UP; if load "$@" && [ "$*" != "$cur" ]; then cur="$*"; echo "sealts-vip: $VS -> $cur"; fi; sleep 2; done ;;',
    'esac',
    '',
  ].join('\n'),
);

/** The targets file: one value a line, so a value can never become shell text or a second value. */
export function renderTargets(t: VipTarget): string {
  if (t.masters.length === 0) throw new Error('renderTargets: no masters');
  const values = [t.vip, String(t.port), ...t.masters];
  for (const v of values) if (!/^[0-9A-Za-z.:-]+$/.test(v)) throw new Error(`renderTargets: not an address: ${JSON.stringify(v)}`);
  return values.join('\n') + '\n';
}

export const IPVS_UNIT = renderUnit('sealts apiserver VIP (IPVS to the masters that answer)', IPVS_SCRIPT, [IPVS_TARGETS]);

export function ipvsFiles(t: VipTarget): PutFile[] {
  return [
    { path: IPVS_SCRIPT, content: IPVS_SCRIPT_TEXT, mode: 0o755 },
    { path: IPVS_TARGETS, content: renderTargets(t), mode: 0o644 },
  ];
}

/** Bind the VIP and load every master now (idempotent). */
export function ipvsOnceCommand(): ShellCommand {
  return sh(['sh', IPVS_SCRIPT, 'once', IPVS_TARGETS]);
}

/**
 * "$1" = VIP:port, "$2" = the link, "$3" = the targets file. ipvsadm only where ipvs mode ran here
 * (it wrote "$3"): on a kernel without ip_vs loaded, ipvsadm would load it.
 */
const REMOVE = literal(
  [
    'if [ -e "$3" ] && ipvsadm -L -n -t "$1" >/dev/null 2>&1; then ipvsadm -D -t "$1" || exit; fi',
    'if ip link show "$2" >/dev/null 2>&1; then ip link delete "$2"; fi',
  ].join('\n'),
);

/** Delete the virtual server and the dummy link; nothing where they are not. */
export function ipvsRemoveCommand(t: VipTarget): ShellCommand {
  return sh(['sh', '-c', REMOVE, 'sh', `${t.vip}:${t.port}`, LINK, IPVS_TARGETS]);
}
