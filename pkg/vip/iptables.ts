// VIP in iptables mode: a nat chain DNATs VIP:6443 to the masters, spread with the `statistic`
// match. The chain is hooked from OUTPUT (the node's own kubelet and kube-proxy) and PREROUTING (its
// pods). The shared unit (watch.ts) loads it at boot and keeps it to the masters whose apiserver
// answers; rewriting the script and restarting the unit updates it.
//
// Leaving a master out of the chain only steers NEW connections. A kubelet keeps one HTTP/2
// connection for everything, and an apiserver that hangs (its local etcd restarting during
// `kubeadm upgrade node`) neither answers nor closes it: the kubelet's lease stops, and after the
// node-monitor grace period the node controller marks the node NotReady and its pods unready, so
// Services lose endpoints on healthy nodes. So the watch also forgets the conntrack entries of VIP
// connections to a master it left out (haproxy's shutdown-sessions): the connection's next packet
// is NATed afresh, to a master that answers, whose reset makes the client reconnect at once. (A
// REJECT of those packets in filter OUTPUT would be simpler, but its reset does not reach local
// sockets whose data packets the NIC checksums.)
import { and, literal, or, quote, sh, type ShellCommand } from '../shell/quote.js';
import { HEALTH_FUNCTIONS, renderUnit } from './watch.js';

export const CHAIN = 'SEALTS-VIP';
export const APPLY_SCRIPT = '/etc/sealts/vip-iptables.sh';
const HOOK_CHAINS = ['OUTPUT', 'PREROUTING'] as const;

export interface VipTarget {
  vip: string;
  port: number;
  masters: readonly string[];
}

/**
 * The node's VIP script, with the VIP, port and masters baked in (each value through the quoting
 * helper). `once` loads a DNAT rule per master and hooks the chain (what apply runs, synchronously);
 * `watch` (the unit) checks every master's /readyz every 2 s and reloads the chain with the ones
 * `healthy` keeps in (watch.ts: out after 3 failed rounds in a row), so a dead apiserver stops
 * receiving new connections within seconds, and the connections it holds are moved (`forget`, each
 * round while it is left out, so none slips through a reload); it also reloads when a hook went
 * missing (a flushed nat table), so a re-apply that finds the node's files current may leave the
 * kernel's side to it; when none answers it keeps them all (fail open: the VIP must not vanish
 * while the control plane restarts); `rules MASTER..` prints the iptables-restore input for those masters.
 */
export function renderApplyScript(t: VipTarget): string {
  if (t.masters.length === 0) throw new Error('renderApplyScript: no masters');
  return [
    '#!/bin/sh',
    '# The sealts apiserver VIP (iptables mode): DNAT VIP:port to the masters that answer. Written by sealts; do not edit.',
    'set -u',
    `VIP=${quote(t.vip)} PORT=${quote(String(t.port))} CHAIN=${quote(CHAIN)}`,
    `MASTERS=${quote(t.masters.join(' '))}`,
    String(RULES_FUNCTIONS),
    String(HEALTH_FUNCTIONS),
    'case ${1:-once} in',
    '  rules) shift; rules "$@" ;;',
    '  once) load $MASTERS ;;',
    '  watch) cur=; while :; do healthy; set -- $UP; if { [ "$*" != "$cur" ] || ! hooked OUTPUT || ! hooked PREROUTING; } && load "$@"; then cur="$*"; echo "sealts-vip: $VIP:$PORT -> $cur"; fi; [ -z "$cur" ] || forget $cur; sleep 2; done ;;',
    '  *) echo "usage: $0 once|watch|rules MASTER.." >&2; exit 2 ;;',
    'esac',
    '',
  ].join('\n');
}

// rule i of n takes 1/(n-i) of what is left, so each master gets 1/n.
const RULES_FUNCTIONS = literal(
  [
    'rules() {',
    '  n=$# i=0; echo "*nat"; echo ":$CHAIN - [0:0]"',
    '  for m; do',
    '    left=$((n - i)); stat=',
    '    [ "$left" -le 1 ] || stat=" -m statistic --mode random --probability $(awk -v l="$left" \'BEGIN { printf "%.5f", 1 / l }\')"',
    '    echo "-A $CHAIN -d $VIP/32 -p tcp --dport $PORT$stat -j DNAT --to-destination $m:$PORT"; i=$((i + 1))',
    '  done',
    '  echo COMMIT',
    '}',
    'hooked() { iptables -w -t nat -C "$1" -d "$VIP/32" -p tcp --dport "$PORT" -j "$CHAIN" 2>/dev/null; }',
    'hook() { hooked "$1" || iptables -w -t nat -I "$1" 1 -d "$VIP/32" -p tcp --dport "$PORT" -j "$CHAIN"; }',
    'load() { rules "$@" | iptables-restore -w --noflush && hook OUTPUT && hook PREROUTING; }',
    // The masters of $MASTERS not named lose their VIP connections' conntrack entries. Without the
    // conntrack tool (kubeadm hosts have it) the connections stay until the apiserver closes them.
    'forget() {',
    '  command -v conntrack >/dev/null 2>&1 || return 0',
    '  for m in $MASTERS; do',
    '    case " $* " in *" $m "*) ;; *) conntrack -D -p tcp --orig-dst "$VIP" --dport "$PORT" --reply-src "$m" >/dev/null 2>&1 ;; esac',
    '  done',
    '  return 0',
    '}',
  ].join('\n'),
);

function hookArgs(t: VipTarget, chain: string): string[] {
  return ['-t', 'nat', chain, '-d', `${t.vip}/32`, '-p', 'tcp', '--dport', String(t.port), '-j', CHAIN];
}

/** Load the rules for every master now and hook the chain (idempotent). */
export function applyCommand(): ShellCommand {
  return sh(['sh', APPLY_SCRIPT, 'once']);
}

/** Unhook and delete the chain; tolerant of parts already gone. */
export function removeCommand(t: VipTarget): ShellCommand {
  const steps = HOOK_CHAINS.map((c) => {
    const [, , , ...rest] = hookArgs(t, c);
    return sh(['iptables', '-t', 'nat', '-D', c, ...rest]);
  });
  // `while -D succeeds` would loop on duplicates; one -D per hook matches the one -I we made.
  return and(...[...steps, sh(['iptables', '-t', 'nat', '-F', CHAIN]), sh(['iptables', '-t', 'nat', '-X', CHAIN])].map((c) => or(c, sh(['true']))));
}

export const IPTABLES_UNIT = renderUnit('sealts apiserver VIP (iptables DNAT to the masters that answer)', APPLY_SCRIPT);
