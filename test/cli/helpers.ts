// Run the CLI the way a user does (through tsx, from source) and capture everything it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `sealts ...args` from source; stdin is a pipe (not a TTY), like CI. */
export function sealts(args: string[], env: NodeJS.ProcessEnv = {}, entry = ['--import', 'tsx', 'cmd/sealts.ts']): Promise<CliResult> {
  return runNode([...entry, ...args], env);
}

export function runNode(argv: string[], env: NodeJS.ProcessEnv = {}, command = process.execPath): Promise<CliResult> {
  return runWithInput(command, argv, '', env);
}

/** Run `command argv` in the repo with `input` on its stdin (a pipe). */
export function runWithInput(command: string, argv: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** The non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
