// /etc/hosts entries sealts owns (e.g. `apiserver.cluster.local`): each sits on its own line marked
// with a trailing comment, so setting one replaces only sealts' line and removing it leaves the
// user's lines untouched.
import { sh } from '../shell/quote.js';
import { execOk, type HostExec } from '../host/exec.js';
import { putFiles, type PutFile } from '../host/put-files.js';
import { HOSTS_MARK as MARK } from '../host/facts.js';

export const HOSTS_FILE = '/etc/hosts';

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

/** sealts' /etc/hosts lines (the host's facts) already say `name` is `ip`, and only once. */
export function hostsEntryCurrent(entries: readonly string[], name: string, ip: string): boolean {
  const ours = entries.filter((l) => isOurs(l, name));
  return ours.length === 1 && ours[0]!.trim().split(/\s+/)[0] === ip;
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
