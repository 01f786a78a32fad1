// Writing a small file on a host: content goes through stdin (never through argv or a shell
// string), lands in a temp name beside the target and is renamed into place (see put-files.ts).
import { putFiles } from '../runtime/put-files.js';
import type { HostExec } from '../runtime/exec.js';

export async function writeRemoteFile(h: HostExec, step: string, file: string, content: string, mode = '0644'): Promise<void> {
  await putFiles(h, step, [{ path: file, content, mode: parseInt(mode, 8) }]);
}
