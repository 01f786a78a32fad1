// What both VIP modes share: the health check their scripts run, and the one systemd unit,
// sealts-vip.service, that runs the mode's script `once` (the VIP is up before kubelet starts) and
// then `watch` (every 2 s, only the masters whose apiserver answers). One unit name for both modes:
// switching modes replaces the unit, and removal has one thing to stop.
import { and, literal, or, sh, type ShellCommand } from '../shell/quote.js';

export const UNIT_NAME = 'sealts-vip.service';
export const UNIT_FILE = `/etc/systemd/system/${UNIT_NAME}`;

/**
 * For the scripts (they set $PORT and $MASTERS): `alive M` asks M's /readyz (a bare TCP connect
 * where there is no curl); `healthy` sets $UP to the masters still in: a master is left out after
 * FALL failed rounds in a row and is back on its first answer, and when every master is out $UP is
 * all of them (fail open: the VIP must not vanish while the whole control plane restarts). One slow
 * answer on a busy host must not leave a master out: that resets every connection it holds. Three
 * rounds is HAProxy's `fall` default; a dead master is out within about 6 s (9 s when it hangs).
 * The counts live in $fails ("master:count" words), so `healthy` runs in the watch's own shell.
 */
export const HEALTH_FUNCTIONS = literal(
  [
    'FALL=3 fails=',
    'alive() {',
    '  if command -v curl >/dev/null 2>&1; then curl -skf --max-time 1 -o /dev/null "https://$1:$PORT/readyz"',
    '  else timeout 1 bash -c ": </dev/tcp/$1/$PORT" 2>/dev/null; fi',
    '}',
    'failsOf() { for f in $fails; do [ "${f%:*}" != "$1" ] || { echo "${f##*:}"; return; }; done; echo 0; }',
    'healthy() {',
    '  up= next=',
    '  for m in $MASTERS; do',
    '    if alive "$m"; then up="$up $m"; continue; fi',
    '    n=$(($(failsOf "$m") + 1)); next="$next $m:$n"',
    '    [ "$n" -ge "$FALL" ] || up="$up $m"',
    '  done',
    '  fails=$next UP=${up:-$MASTERS}',
    '}',
  ].join('\n'),
);

/** ExecStart words are split by systemd, not a shell: only sealts' own fixed paths may go there. */
const UNIT_WORD = /^[A-Za-z0-9_./-]+$/;

/** The unit for a mode whose script takes `once|watch` then `args` (constant paths, never values). */
export function renderUnit(description: string, script: string, args: readonly string[] = []): string {
  for (const w of [script, ...args]) if (!UNIT_WORD.test(w)) throw new Error(`renderUnit: not a plain path: ${JSON.stringify(w)}`);
  const run = (mode: string) => ['/bin/sh', script, mode, ...args].join(' ');
  return [
    '[Unit]',
    `Description=${description}`,
    'After=network-pre.target',
    'Before=kubelet.service',
    '',
    '[Service]',
    `ExecStartPre=${run('once')}`,
    `ExecStart=${run('watch')}`,
    'Restart=always',
    'RestartSec=2',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

const NO_SYSTEMD = sh(['test', '!', '-d', '/run/systemd/system']);

/**
 * Where systemd runs the host, (re)start the unit: restarted, it reads the new script and masters.
 * The one daemon-reload, only when the unit file changed.
 */
export function startWatchCommand(): ShellCommand {
  return or(
    NO_SYSTEMD,
    and(
      or(sh(['sh', '-c', 'systemctl show -p NeedDaemonReload "$1" | grep -qx NeedDaemonReload=no', 'sh', UNIT_NAME]), sh(['systemctl', 'daemon-reload'])),
      sh(['systemctl', '--quiet', 'enable', UNIT_NAME]),
      sh(['systemctl', 'restart', UNIT_NAME]),
    ),
  );
}

/** Stop and disable the unit (first, or it would put the VIP back); nothing when it is not there. */
export function stopWatchCommand(): ShellCommand {
  return or(NO_SYSTEMD, or(sh(['systemctl', 'disable', '--now', UNIT_NAME]), sh(['true'])));
}

/** After the unit file is gone. */
export function forgetUnitCommand(): ShellCommand {
  return or(NO_SYSTEMD, sh(['systemctl', 'daemon-reload']));
}
