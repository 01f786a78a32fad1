// How an exec request becomes the text sshd runs: env, a remote timeout and sudo wrapped around
// the caller's command, all through pkg/shell. The markers let the engine answer sudo's password
// prompt only when sudo really asks, and start the caller's stdin only once the command runs.
import { randomBytes } from 'node:crypto';
import { literal, sh, withEnv, type ShellCommand } from '../shell/quote.js';
import type { Command } from './types.js';

/** Seconds the client keeps waiting beyond a command's timeout before it gives up on the channel. */
export const CLIENT_GRACE_S = 5;

export function toShell(cmd: Command): ShellCommand {
  return typeof cmd === 'string' ? (cmd as ShellCommand) : sh(cmd as readonly string[]);
}

export interface SudoMarkers {
  /** Printed by sudo (`-p`) when it wants the password. */
  prompt: string;
  /** Printed on stderr by the wrapper once sudo has let the command run. */
  started: string;
}

export function newSudoMarkers(): SudoMarkers {
  const tag = randomBytes(8).toString('hex');
  return { prompt: `[sealts-sudo-prompt-${tag}]`, started: `[sealts-sudo-started-${tag}]` };
}

export interface Wrapping {
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** 'nopasswd': `sudo -n`; 'password': `sudo -S` with markers; undefined: no sudo. */
  sudo?: 'nopasswd' | 'password';
  markers?: SudoMarkers;
}

/** Announce on stderr, then run "$1" with sh: the marker tells the client sudo is done. */
const ANNOUNCE_THEN_RUN = literal('printf "%s\\n" "$0" >&2; exec sh -c "$1"');

export function wrap(cmd: ShellCommand, w: Wrapping): ShellCommand {
  let out = cmd;
  if (w.timeoutMs !== undefined) {
    // GNU timeout puts the command in its own process group and signals the whole group. KILL,
    // not TERM: with TERM, timeout exits as soon as its direct child dies and leaves behind any
    // grandchild that ignores TERM; KILL cannot be ignored, so nothing of the command survives.
    const secs = Math.max(0.001, w.timeoutMs / 1000).toFixed(3);
    out = sh(['timeout', '-s', 'KILL', `${secs}s`, 'sh', '-c', out]);
  }
  if (w.env && Object.keys(w.env).length > 0) out = withEnv(w.env, ['sh', '-c', out]);
  if (w.sudo === 'nopasswd') out = sh(['sudo', '-n', '--', 'sh', '-c', out]);
  if (w.sudo === 'password') {
    if (!w.markers) throw new Error('sudo password wrapping needs markers');
    out = sh(['sudo', '-S', '-p', w.markers.prompt, '--', 'sh', '-c', ANNOUNCE_THEN_RUN, w.markers.started, out]);
  }
  return out;
}
