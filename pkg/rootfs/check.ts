// What `rootfs build` checks before it packs a file: it must be an executable for the rootfs' arch
// (an ELF binary whose e_machine is that arch, or a #! script where scripts are allowed), and each
// Kubernetes binary must say it is the rootfs' version, asked the way the real tools answer. A
// binary of another arch than this machine's cannot run here: its ELF header is all that is checked.
import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors/errors.js';

const run = promisify(execFile);

/** How each Kubernetes binary reports its version (the real tools' own flags; the test stand-ins answer them too). */
export const KUBE_VERSION_ARGS: Readonly<Record<string, readonly string[]>> = {
  kubeadm: ['version', '-o', 'short'],
  kubelet: ['--version'],
  kubectl: ['version', '--client'],
  'kube-apiserver': ['--version'],
  'kube-controller-manager': ['--version'],
  'kube-scheduler': ['--version'],
  'kube-proxy': ['--version'],
  k0s: ['version'],
};

/** A version query must answer within this. */
const VERSION_TIMEOUT_MS = 30_000;

/** ELF e_machine -> Go/Debian arch name (the ones Kubernetes ships for, and a few to name a mistake). */
const ELF_MACHINES: Readonly<Record<number, string>> = {
  3: '386', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390x', 40: 'arm', 62: 'amd64', 183: 'arm64', 243: 'riscv64', 258: 'loong64',
};

export type Executable =
  | { kind: 'elf'; arch: string; machine: number }
  | { kind: 'script'; interpreter: string }
  | { kind: 'other' };

/** This machine's arch in Go/Debian names (amd64, arm64). */
export function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', ia32: '386', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64', loong64: 'loong64' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** What a file's first bytes say it is: ELF (e_machine at offset 18, in the file's byte order), a #! script, or neither. */
export async function executableKind(file: string): Promise<Executable> {
  const fh = await open(file, 'r');
  const head = Buffer.alloc(256);
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, head.length, 0));
  } finally {
    await fh.close();
  }
  if (n >= 20 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') {
    const littleEndian = head[5] !== 2;
    const machine = littleEndian ? head.readUInt16LE(18) : head.readUInt16BE(18);
    let arch = ELF_MACHINES[machine] ?? `e_machine ${machine}`;
    if (littleEndian && (arch === 'ppc64' || arch === 'mips')) arch += 'le';
    return { kind: 'elf', arch, machine };
  }
  if (n >= 2 && head.toString('latin1', 0, 2) === '#!') {
    return { kind: 'script', interpreter: head.toString('latin1', 2, n).split('\n')[0]!.trim() };
  }
  return { kind: 'other' };
}

/** The first vX.Y.Z[-suffix] a version output names, or undefined. */
export function versionIn(output: string): string | undefined {
  return /v\d+\.\d+\.\d+\S*/.exec(output)?.[0];
}

/** The version `file` reports when asked the way its tool answers (KUBE_VERSION_ARGS), or why there is none. */
async function askVersion(file: string, name: string): Promise<{ version: string } | { problem: string }> {
  const args = KUBE_VERSION_ARGS[name];
  if (!args) throw new Error(`no version query for ${name}`);
  const asked = `"${name} ${args.join(' ')}"`;
  try {
    const r = await run(file, [...args], { timeout: VERSION_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 });
    const version = versionIn(r.stdout);
    return version ? { version } : { problem: `${asked} printed no version (${JSON.stringify(r.stdout.trim().split('\n')[0] ?? '')})` };
  } catch (e) {
    const x = e as Error & { stderr?: string; killed?: boolean };
    if (x.killed) return { problem: `${asked} did not answer within ${VERSION_TIMEOUT_MS / 1000} s` };
    return { problem: `${asked} failed: ${(x.stderr || x.message).trim().split('\n')[0]}` };
  }
}

/** The version a Kubernetes binary reports; UserError naming the file when it reports none. */
export async function reportedVersion(file: string, name = path.basename(file)): Promise<string> {
  const r = await askVersion(file, name);
  if ('problem' in r) throw new UserError(`${file}: ${r.problem}`);
  return r.version;
}

export interface CheckOptions {
  /** The rootfs' Kubernetes version (vX.Y.Z). */
  version: string;
  /** The rootfs' arch (amd64, arm64). */
  arch: string;
  /** #! scripts are allowed (--bin-dir: the test stand-ins are scripts); a real rootfs takes ELF binaries only. */
  scripts: boolean;
}

/** Why `file` cannot go into the rootfs, or undefined; Kubernetes binaries that run here are asked their version. */
async function fileProblem(file: string, o: CheckOptions): Promise<{ problem?: string; ran?: boolean }> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) return { problem: st.code === 'ENOENT' ? 'missing' : st.message };
  if (!st.isFile()) return { problem: 'not a regular file' };
  if ((st.mode & 0o111) === 0) return { problem: `not executable (mode ${(st.mode & 0o777).toString(8)})` };
  const exe = await executableKind(file);
  if (exe.kind === 'other') return { problem: 'not an executable: neither an ELF binary nor a #! script' };
  if (exe.kind === 'script' && !o.scripts) return { problem: `a #! script (${exe.interpreter}), not an ELF binary: a real rootfs carries the real binaries` };
  if (exe.kind === 'elf' && exe.arch !== o.arch) return { problem: `an ${exe.arch} binary (ELF e_machine ${exe.machine}), the rootfs is ${o.arch} (--arch)` };
  const name = path.basename(file);
  if (!KUBE_VERSION_ARGS[name]) return {};
  // A script runs through its interpreter here whatever the arch; an ELF binary only on its own arch.
  if (exe.kind === 'elf' && exe.arch !== hostArch()) return { ran: false };
  const got = await askVersion(file, name);
  if ('problem' in got) return { problem: got.problem, ran: true };
  if (got.version !== o.version) {
    return { problem: `reports ${got.version} ("${name} ${KUBE_VERSION_ARGS[name]!.join(' ')}"), the rootfs is ${o.version} (--kubernetes-version)`, ran: true };
  }
  return { ran: true };
}

/**
 * Refuses the first of `files` (in the order given) that is not an executable of the rootfs' arch
 * or, for a Kubernetes binary that runs here, does not report the rootfs' version: one line naming
 * the file. All are looked at together. Returns notes for what could not be run.
 */
export async function checkExecutables(files: string[], o: CheckOptions): Promise<string[]> {
  const results = await Promise.all(files.map((f) => fileProblem(f, o)));
  const bad = results.findIndex((r) => r.problem !== undefined);
  if (bad >= 0) throw new UserError(`${files[bad]}: ${results[bad]!.problem}`);
  const notRun = files.filter((_, i) => results[i]!.ran === false).map((f) => path.basename(f));
  if (notRun.length === 0) return [];
  return [`${notRun.join(', ')}: ${o.arch} binaries cannot run on this ${hostArch()} machine, so their versions were not asked; their ELF headers say ${o.arch}`];
}
