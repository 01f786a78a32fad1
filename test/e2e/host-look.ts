// Everything a cluster could leave on a fleet host besides files: processes, mounts, network links,
// routes, iptables rules and nftables tables. With upperSnapshot (the files), two looks taken at
// fleet-up and after `delete --all` prove the host is as fleet-up made it.
import assert from 'node:assert/strict';
import type { Fleet } from '../fleet/index.js';
import { snapshotDiff, upperSnapshot } from './upper-snapshot.js';

export interface HostLook {
  files: Map<string, string>;
  processes: Set<string>;
  mounts: string[];
  links: string[];
  routes: string[];
  iptables: string[];
  nft: string[];
}

/** Short-lived processes of the look itself and of systemd's housekeeping. */
const TRANSIENT = new Set(['ps', 'sh', 'sshd', 'sleep', 'systemd-userwor', 'systemd-userwork', '(sd-pam)', 'systemd-hostnam', 'systemd-timedat', 'systemd-localed']);

const linesOf = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);

export async function lookAt(fleet: Fleet, ip: string): Promise<HostLook> {
  const out = async (argv: string[]) => (await fleet.run(ip, argv)).stdout;
  return {
    files: await upperSnapshot(fleet, fleet.host(ip)),
    processes: new Set(linesOf(await out(['ps', '-e', '-o', 'comm='])).filter((p) => !TRANSIENT.has(p))),
    mounts: linesOf(await out(['cut', '-d', ' ', '-f', '2,3', '/proc/self/mounts'])).sort(),
    links: linesOf(await out(['sh', '-c', 'ip -o link show | cut -d: -f2'])).sort(),
    // IPv6 link-local routes come by themselves once a link's address passes DAD, after fleet-up.
    routes: linesOf(await out(['ip', 'route', 'show', 'table', 'all'])).filter((r) => !/\bfe80::/.test(r)).sort(),
    // counters and the dump's own comment lines change by themselves
    iptables: linesOf(await out(['sh', '-c', 'iptables-save; ip6tables-save'])).filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).sort(),
    nft: linesOf(await out(['nft', 'list', 'tables'])).sort(),
  };
}

/** What `after` has that `before` lacked, or lost (empty when the host is as it was). */
export function lookDiff(before: HostLook, after: HostLook): string[] {
  const diffs = snapshotDiff(before.files, after.files).map((d) => `file ${d}`);
  for (const p of after.processes) if (!before.processes.has(p)) diffs.push(`process left: ${p}`);
  const lists: Array<keyof Omit<HostLook, 'files' | 'processes'>> = ['mounts', 'links', 'routes', 'iptables', 'nft'];
  for (const k of lists) {
    const b = new Set(before[k]);
    const a = new Set(after[k]);
    for (const x of a) if (!b.has(x)) diffs.push(`${k} added: ${x}`);
    for (const x of b) if (!a.has(x)) diffs.push(`${k} removed: ${x}`);
  }
  return diffs;
}

/** Every host of `ips` looks as it did in `before` (taken at fleet-up), or the assertion names what differs. */
export async function assertAsBefore(fleet: Fleet, before: ReadonlyMap<string, HostLook>, ips: readonly string[]): Promise<void> {
  for (const ip of ips) {
    const diff = lookDiff(before.get(ip)!, await lookAt(fleet, ip));
    assert.deepEqual(diff, [], `${ip} differs from fleet-up:\n${diff.join('\n')}`);
  }
}
