// /etc/hosts entries sealts owns (e.g. `apiserver.cluster.local`): each sits on its own line marked
// with a trailing comment, so setting one replaces only sealts' line and removing it leaves the
// user's lines untouched.
import { sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../runtime/exec.js';
import { writeRemoteFile } from './files.js';

const MARK = '# sealts';

function isOurs(line: string, name: string): boolean {
  const fields = line.replace(/#.*$/, '').trim().split(/\s+/);
  return line.trimEnd().endsWith(MARK) && fields.slice(1).includes(name);
}

/** The hosts file text with sealts' line for `name` set to `ip` (or removed when ip is undefined). */
export function withHostsEntry(text: string, name: string, ip: string | undefined): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept = lines.filter((l) => !isOurs(l, name));
  if (ip !== undefined) kept.push(`${ip} ${name} ${MARK}`);
  return kept.length > 0 ? kept.join('\n') + '\n' : '';
}

export async function setHostsEntry(h: HostExec, name: string, ip: string | undefined): Promise<void> {
  const current = await execOk(h, 'read /etc/hosts', sh(['cat', '/etc/hosts']));
  const next = withHostsEntry(current, name, ip);
  if (next !== current) await writeRemoteFile(h, 'write /etc/hosts', '/etc/hosts', next);
}
