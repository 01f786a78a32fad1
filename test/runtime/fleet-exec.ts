// A HostExec over the fleet's nsenter runner, for tests of steps that do not need SSH itself
// (the SSH engine has its own tests). Commands run under `sh -c` exactly as sshd would run them;
// `upload` is a plain `tar x` of the directory (no hash skip: that is the SSH engine's, tested there).
import type { Fleet, FleetHost } from '../fleet/index.js';
import type { HostExec } from '../../pkg/host/exec.js';
import type { ShellCommand } from '../../pkg/shell/quote.js';
import type { UploadFile } from '../../pkg/ssh/types.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import tarFs from 'tar-fs';

/** The one directory every listed file lies under by its name. */
function rootOf(files: readonly UploadFile[]): string {
  const roots = new Set(files.map((f) => f.path.slice(0, f.path.length - f.name.length)));
  if (roots.size !== 1) throw new Error(`fleetExec upload: the files do not share one root (${[...roots].join(', ')})`);
  return [...roots][0]!;
}

export function fleetExec(fleet: Fleet, host: FleetHost, log?: string[]): HostExec {
  return {
    host: host.ip,
    async exec(cmd: ShellCommand, opts?: { stdin?: string | Buffer }) {
      log?.push(`${host.name}: ${cmd}`);
      // The fleet's runner has no EPIPE handler on stdin: when the command may exit before reading
      // all its input, drain the rest so the write always completes (the exit code is kept).
      const script = opts?.stdin !== undefined ? `${cmd}\nrc=$?; cat >/dev/null; exit $rc` : cmd;
      return fleet.run(host, ['sh', '-c', script], { input: opts?.stdin ?? '', timeoutMs: 120_000 });
    },
    async upload(src: string | readonly UploadFile[], dest: string) {
      // A list names files under one local root (as pushRootfs gives them): tar those entries only.
      const root = typeof src === 'string' ? src : rootOf(src);
      const names = typeof src === 'string' ? (await readdir(src, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(src, path.join(e.parentPath, e.name))) : src.map((f) => f.name);
      log?.push(`${host.name}: upload ${root} (${names.length} files) -> ${dest}`);
      const chunks: Buffer[] = [];
      for await (const c of tarFs.pack(root, { entries: names })) chunks.push(c as Buffer);
      await fleet.runOk(host, ['sh', '-c', 'mkdir -p -- "$1" && tar -x -p --no-same-owner -f - -C "$1"', 'sh', dest], { input: Buffer.concat(chunks) });
      return { sent: names, skipped: [] };
    },
  };
}
