// Where a fleet keeps things and what its kernel objects are called. Every name carries the fleet id,
// so several fleets live side by side and `down` can find the leftovers of one id after a crash.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The static scripts the fleet runs (values reach them as argv, never as generated text). */
export const HOST_INIT_SCRIPT = path.join(REPO_ROOT, 'test', 'fleet', 'host-init.py');

export const FIRST_OCTET = 11;
export const MAX_HOSTS = 200; // .11 .. .210; the rest of the /24 stays free for VIPs (e.g. .250)

export function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 255) throw new Error(`fleet id must be an integer 0..255, got ${id}`);
}

/** `.fleet/` for id 0 (what `make fleet-up` uses), `.fleet/<id>/` for the others. */
export function stateDir(id: number): string {
  return id === 0 ? path.join(REPO_ROOT, '.fleet') : path.join(REPO_ROOT, '.fleet', String(id));
}

/** The directory every fleet's state lives under; hidden from every host (it holds private keys). */
export const STATE_ROOT = path.join(REPO_ROOT, '.fleet');

/** A tmpfs per fleet: host upper dirs, containerd dirs, mount points. Outside any overlay lower path. */
export function runtimeDir(id: number): string {
  return `/run/sealts-fleet/${id}`;
}

export const bridgeName = (id: number): string => `sealts${id}`;
export const subnetPrefix = (id: number): string => `198.18.${id}`;
export const bridgeIp = (id: number): string => `${subnetPrefix(id)}.1`;
/** netns names: `sealts<id>-host-<octet>`; the `-` after the id keeps sealts1- apart from sealts12-. */
export const netnsPrefix = (id: number): string => `sealts${id}-`;
export const netnsName = (id: number, name: string): string => `${netnsPrefix(id)}${name}`;
/** Outer veth end in the machine's namespace: `sf<id>h<octet>` (interface names are at most 15 chars). */
export const vethPrefix = (id: number): string => `sf${id}h`;
export const vethName = (id: number, octet: number): string => `${vethPrefix(id)}${octet}`;
/** Each host's processes live in `<launcher's cgroup>/sealts-fleet-<id>/<host>` in every hierarchy. */
export const cgroupGroupName = (id: number): string => `sealts-fleet-${id}`;

export function hostNameFor(octet: number): string {
  return `host-${octet}`;
}
