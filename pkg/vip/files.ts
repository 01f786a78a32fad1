// Writing a small file on a host: content goes through stdin (never through argv or a shell
// string), lands in a temp name beside the target and is renamed into place.
import path from 'node:path';
import { and, redirect, sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../runtime/exec.js';

export async function writeRemoteFile(h: HostExec, step: string, file: string, content: string, mode = '0644'): Promise<void> {
  const tmp = `${file}.sealts-tmp`;
  await execOk(
    h,
    step,
    and(sh(['mkdir', '-p', path.posix.dirname(file)]), redirect(sh(['cat']), tmp), sh(['chmod', mode, tmp]), sh(['mv', '-f', tmp, file])),
    { stdin: content },
  );
}
