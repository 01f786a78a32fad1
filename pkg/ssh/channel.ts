// One command on one SSH channel: stdin (answering sudo's prompt first when needed), output
// collected and streamed to the log line by line, exit code or signal, timeout backstop.
import { pipeline } from 'node:stream/promises';
import { HostError } from '../errors/errors.js';
import { isSecret, redact, type Secret } from '../secret/secret.js';
import type { ShellCommand } from '../shell/quote.js';
import { LineSplitter } from './line-splitter.js';
import { CLIENT_GRACE_S, type Wrapping } from './remote-command.js';
import type { ExecOptions, LineSink } from './types.js';
import type { Link } from './link.js';

export interface ChannelRun {
  host: string;
  user: string;
  sudoPasswd?: Secret;
  wrapping: Wrapping;
  opts: ExecOptions;
  /** The command as logged and named in errors (redacted). */
  shown: string;
  step: string;
  log: LineSink;
}

export interface ChannelResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

export function runOnChannel(link: Link, remote: ShellCommand, run: ChannelRun): Promise<ChannelResult> {
  const { host, opts, shown, step, log } = run;
  const w = run.wrapping;
  const lost = link.lost;
  if (lost) return Promise.reject(new HostError(host, step, `connection lost (${lost}) before \`${shown}\``));
  return new Promise((resolve, reject) => {
    // Taken before the exec request: the remote command (and its `timeout`) starts after it is
    // sent, so a remote kill at timeoutMs always reads here as at least timeoutMs. Taken in the
    // callback it could read a few ms short, and a timeout was reported as a bare SIGKILL.
    const startedAt = Date.now();
    link.client.exec(remote, (err, ch) => {
      if (err) return reject(new HostError(host, step, `cannot open a channel for \`${shown}\`: ${err.message}`));
      const out: Buffer[] = [];
      const errText: string[] = [];
      let exitCode: number | undefined;
      let exitSignal: string | undefined;
      let timedOut = false;
      let failure: HostError | undefined;
      let stdinError: Error | undefined;
      const outLines = new LineSplitter((l) => opts.quiet || log(host, 'stdout', redact(l)));
      const errLines = new LineSplitter((l) => log(host, 'stderr', redact(l)));

      // A backstop for a remote side that ignores `timeout` (e.g. a lost link): stop waiting.
      const backstop =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              ch.close();
            }, opts.timeoutMs + CLIENT_GRACE_S * 1000);

      const sendStdin = (): void => {
        const input = opts.stdin;
        if (input === undefined) return void ch.end();
        if (typeof input === 'object' && Symbol.asyncIterator in input) {
          pipeline(input, ch).catch((e: Error) => {
            stdinError ??= e;
            ch.close();
          });
          return;
        }
        ch.end(isSecret(input) ? input.reveal() : input);
      };

      // sudo with a password: answer the prompt once, start stdin when the command announces itself.
      let pre = w.sudo === 'password' ? '' : undefined;
      let answered = false;
      if (pre === undefined) sendStdin();

      ch.on('data', (d: Buffer) => {
        out.push(d);
        outLines.push(d);
      });
      ch.stderr.on('data', (d: Buffer) => {
        if (pre === undefined) {
          errText.push(d.toString('utf8'));
          errLines.push(d);
          return;
        }
        const m = w.markers!;
        pre += d.toString('utf8');
        if (pre.includes(m.prompt)) {
          if (answered) {
            // Named as sudo's own failure: the step (often the command's first word) would only mislead.
            failure = new HostError(host, 'sudo', `wrong sudo password for ${run.user} (sudoPasswd)`);
            ch.close();
            return;
          }
          answered = true;
          pre = pre.replace(m.prompt, '');
          ch.write(`${run.sudoPasswd!.reveal()}\n`);
        }
        const at = pre.indexOf(`${m.started}\n`);
        if (at >= 0) {
          const before = pre.slice(0, at);
          const after = pre.slice(at + m.started.length + 1);
          pre = undefined;
          if (before) {
            errText.push(before);
            errLines.push(before);
          }
          if (after) {
            errText.push(after);
            errLines.push(after);
          }
          sendStdin();
        }
      });
      ch.on('exit', (code: number | null, signal?: string) => {
        if (code !== null) exitCode = code;
        else exitSignal = signal ?? 'unknown signal';
      });
      ch.on('close', () => {
        if (backstop) clearTimeout(backstop);
        outLines.end();
        errLines.end();
        if (failure) return reject(failure);
        // sudo exited before running the command (e.g. `sudo -n` refused): its words are the error.
        if (pre) errText.push(pre);
        const stderr = errText.join('');
        // timeout -s KILL kills itself with the group: sshd reports signal KILL, sudo exit 137.
        const killed = exitSignal === 'SIGKILL' || exitCode === 137 || exitCode === 124;
        if (timedOut || (opts.timeoutMs !== undefined && killed && Date.now() - startedAt >= opts.timeoutMs)) {
          return resolve({ code: exitCode ?? -1, stdout: Buffer.concat(out), stderr, timedOut: true });
        }
        // A command that failed on its own explains itself better than the broken stdin pipe.
        if (stdinError && exitCode === 0) {
          return reject(new HostError(host, step, `sending stdin to \`${shown}\`: ${stdinError.message}`));
        }
        if (exitCode === undefined) {
          const why = exitSignal ? `killed by signal ${exitSignal}` : `connection lost${link.lost ? ` (${link.lost})` : ''}`;
          return reject(new HostError(host, step, `\`${shown}\`: ${why}`));
        }
        resolve({ code: exitCode, stdout: Buffer.concat(out), stderr, timedOut: false });
      });
    });
  });
}
