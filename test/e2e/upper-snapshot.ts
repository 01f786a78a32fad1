// What a fleet host's overlay upper dir holds (every change made to the host since fleet-up), as
// path -> "type:content-hash/target". Comparing two snapshots proves a cleanup undid exactly what
// was done. Paths that systemd and logging churn by themselves are left out.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Fleet, FleetHost } from '../fleet/index.js';

const NOISE = [/^var\/log(\/|$)/, /^var\/lib\/systemd(\/|$)/, /^var\/cache(\/|$)/, /^var\/tmp(\/|$)/, /^etc\/\.pwd\.lock$/, /^root\/\.ssh\/known_hosts/];

export async function upperSnapshot(fleet: Fleet, host: FleetHost): Promise<Map<string, string>> {
  const hostDir = fleet.paths(host).dir;
  const upper = path.join(hostDir, 'upper');
  // The overlay's lower stack, top first (test/fleet/host-init.sh): identity, fleet layer, machine /.
  const lowers = [path.join(hostDir, 'identity'), path.join(path.dirname(path.dirname(hostDir)), 'layer'), '/'];
  const out = new Map<string, string>();
  const entries = await readdir(upper, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    const abs = path.join(e.parentPath, e.name);
    const rel = path.relative(upper, abs);
    if (NOISE.some((re) => re.test(rel))) continue;
    const v = await describe(abs, e);
    // overlayfs copies a path up when it is merely touched (a directory written into, a file put
    // back as it was): an upper entry equal to the lower one (the machine's /) is no change.
    const lower = await lowerOf(lowers, rel);
    if (lower && !v.startsWith('special:') && (await describe(lower.path, lower.entry)) === v) continue;
    out.set(rel, v);
  }
  return out;
}

/** The entry a path resolves to in the lower stack (the first layer that has it). */
async function lowerOf(lowers: string[], rel: string) {
  for (const l of lowers) {
    const p = path.join(l, rel);
    const st = await lstat(p).catch(() => undefined);
    if (st) return { path: p, entry: st };
  }
  return undefined;
}

async function describe(abs: string, e: { isDirectory(): boolean; isSymbolicLink(): boolean; isFile(): boolean }): Promise<string> {
  const st = await lstat(abs);
  if (e.isDirectory()) return `dir:${(st.mode & 0o7777).toString(8)}`;
  if (e.isSymbolicLink()) return `link:${await readlink(abs)}`;
  if (e.isFile()) return `file:${(st.mode & 0o7777).toString(8)}:${createHash('sha256').update(await readFile(abs)).digest('hex').slice(0, 16)}`;
  return `special:${st.rdev}`; // overlayfs whiteout: a file deleted from the lower layer
}

/** Human-readable differences between two snapshots (empty when equal). */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const [p, v] of after) if (before.get(p) !== v) diffs.push(`${before.has(p) ? 'changed' : 'added'}: ${p} (${v})`);
  for (const p of before.keys()) if (!after.has(p)) diffs.push(`removed: ${p}`);
  return diffs.sort();
}
