// VIP in iptables mode: a nat chain DNATs VIP:6443 to the masters, spread with the `statistic`
// match (rule i of n takes 1/(n-i) of what is left, so each master gets 1/n). The chain is hooked
// from OUTPUT (the node's own kubelet and kube-proxy) and PREROUTING (its pods). A oneshot systemd
// unit restores it at boot; rewriting the rules file and restarting the unit updates it.
import { and, or, sh, type ShellCommand } from '../shell/quote.js';

export const CHAIN = 'SEALTS-VIP';
export const RULES_FILE = '/etc/sealts/vip.rules';
export const APPLY_SCRIPT = '/etc/sealts/vip-iptables.sh';
export const UNIT_NAME = 'sealts-vip.service';
export const UNIT_FILE = `/etc/systemd/system/${UNIT_NAME}`;
const HOOK_CHAINS = ['OUTPUT', 'PREROUTING'] as const;

export interface VipTarget {
  vip: string;
  port: number;
  masters: readonly string[];
}

/** `iptables-restore --noflush` input: declaring the chain empties it, then one rule per master. */
export function renderRules(t: VipTarget): string {
  if (t.masters.length === 0) throw new Error('renderRules: no masters');
  const lines = ['*nat', `:${CHAIN} - [0:0]`];
  t.masters.forEach((m, i) => {
    const left = t.masters.length - i;
    const match = ['-A', CHAIN, '-d', `${t.vip}/32`, '-p', 'tcp', '--dport', String(t.port)];
    const stat = left > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / left).toFixed(5)] : [];
    lines.push([...match, ...stat, '-j', 'DNAT', '--to-destination', `${m}:${t.port}`].join(' '));
  });
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function hookArgs(t: VipTarget, chain: string): string[] {
  return ['-t', 'nat', chain, '-d', `${t.vip}/32`, '-p', 'tcp', '--dport', String(t.port), '-j', CHAIN];
}

/** Load the rules and hook the chain in once (check before insert keeps it idempotent). */
export function applyCommand(t: VipTarget): ShellCommand {
  const hooks = HOOK_CHAINS.map((c) => {
    const [, , , ...rest] = hookArgs(t, c);
    return or(sh(['iptables', '-t', 'nat', '-C', c, ...rest]), sh(['iptables', '-t', 'nat', '-I', c, '1', ...rest]));
  });
  return and(sh(['iptables-restore', '--noflush', RULES_FILE]), ...hooks);
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

/** The script the boot unit runs: the same commands as a live apply. */
export function renderApplyScript(t: VipTarget): string {
  return ['#!/bin/sh', '# Restores the sealts apiserver VIP (iptables mode). Written by sealts; do not edit.', 'set -eu', applyCommand(t), ''].join('\n');
}

export function renderUnit(): string {
  return [
    '[Unit]',
    'Description=sealts apiserver VIP (iptables DNAT to the masters)',
    'After=network-pre.target',
    'Before=kubelet.service',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=/bin/sh ${APPLY_SCRIPT}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
