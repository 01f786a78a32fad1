// Machine limits a fleet of systemd hosts runs into. Every host's systemd takes a few inotify
// instances, and all hosts share root's machine-wide `fs.inotify.max_user_instances` (128 on many
// kernels): with ~40 systemd hosts up, the next host's systemd gets EMFILE and exits 255 without a
// word in its log. kind documents the same limit for its nodes.
import { readFile, writeFile } from 'node:fs/promises';

const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';
/** Enough for a few hundred systemd hosts at ~3 instances each. */
export const MIN_INOTIFY_INSTANCES = 1024;

/** Raise the limit when it is lower (root only; it lasts until the machine reboots). */
export async function ensureInotifyInstances(): Promise<void> {
  const current = Number((await readFile(INOTIFY_INSTANCES, 'utf8')).trim());
  if (current >= MIN_INOTIFY_INSTANCES) return;
  await writeFile(INOTIFY_INSTANCES, `${MIN_INOTIFY_INSTANCES}\n`);
  process.stderr.write(`fleet: raised fs.inotify.max_user_instances ${current} -> ${MIN_INOTIFY_INSTANCES} (each systemd host needs a few)\n`);
}
