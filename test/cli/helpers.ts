// Run the CLI the way a user does (through tsx, from source) and capture everything it prints.
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

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

/** Run `command argv` in `cwd` (the repo) with `input` on its stdin (a pipe). */
export function runWithInput(command: string, argv: string[], input: string, env: NodeJS.ProcessEnv = {}, cwd = REPO, onData?: (chunk: string) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => (out.push(c), onData?.(c.toString())));
    child.stderr.on('data', (c: Buffer) => (err.push(c), onData?.(c.toString())));
    child.on('error', reject);
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/**
 * `sealts ...args` like sealts(), and beside its result a log of what it printed, each line
 * stamped with the epoch seconds it arrived at (the format timeline() merges).
 */
export async function sealtsStamped(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult & { stamped: string }> {
  let stamped = '';
  let partial = '';
  const r = await runWithInput(process.execPath, ['--import', 'tsx', 'cmd/sealts.ts', ...args], '', env, REPO, (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.trim() !== '') stamped += `${(Date.now() / 1000).toFixed(3)} ${l}\n`;
  });
  return { ...r, stamped };
}

/** The non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/**
 * A copy of a repo example in `dir` whose local inputs exist, so a command gets past the local
 * checks and on to the hosts: a rootfs directory with an (empty) manifest and a fresh SSH key
 * without a passphrase in place of the image and key the example names. Returns the copy's path.
 */
export async function usableExample(example: string, dir: string): Promise<string> {
  const rootfs = path.join(dir, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  await writeFile(path.join(rootfs, 'manifest.json'), JSON.stringify({ kubernetesVersion: 'v1.36.3', arch: 'amd64', files: [] }));
  const key = path.join(dir, 'id_ed25519');
  await rm(key, { force: true });
  await rm(`${key}.pub`, { force: true });
  await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const text = (await readFile(path.join(REPO, example), 'utf8'))
    .replace(/^(\s*image:\s*)\S+/m, `$1${rootfs}`)
    .replace(/^(\s*pk:\s*)\S+/gm, `$1${key}`);
  const copy = path.join(dir, path.basename(example));
  await writeFile(copy, text);
  return copy;
}
