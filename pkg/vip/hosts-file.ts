// /etc/hosts entries sealts owns (e.g. `apiserver.cluster.local`): each sits on its own line marked
// with a trailing comment, so setting one replaces only sealts' line and removing it leaves the
// user's lines untouched.
import { sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../host/exec.js';
import { putFiles, type PutFile } from '../host/put-files.js';

export const HOSTS_FILE = '/etc/hosts';

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

/** The new /etc/hosts to put alongside other files, or nothing when it already says so. */
export async function hostsEntryFile(h: HostExec, name: string, ip: string | undefined): Promise<PutFile[]> {
  const current = await execOk(h, 'read /etc/hosts', sh(['cat', HOSTS_FILE]));
  const next = withHostsEntry(current, name, ip);
  return next === current ? [] : [{ path: HOSTS_FILE, content: next, mode: 0o644 }];
}

export async function setHostsEntry(h: HostExec, name: string, ip: string | undefined): Promise<void> {
  await putFiles(h, 'write /etc/hosts', await hostsEntryFile(h, name, ip));
}
