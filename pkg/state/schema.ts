// state.json: what sealts knows about a cluster it has applied. Versioned so a newer file is refused
// rather than misread, and validated on read so a corrupt file is reported, never silently replaced.
import type { Role } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';

export const STATE_SCHEMA_VERSION = 1;

export interface HostState {
  roles: Role[];
  hostname?: string;
  machineId?: string;
  /** ISO time the host joined the cluster. */
  joinedAt: string;
}

export interface StateFile {
  schemaVersion: number;
  cluster: string;
  /** Keyed by host IP. */
  hosts: Record<string, HostState>;
  /** sha256 of the rootfs manifest last pushed. */
  rootfsHash?: string;
  runtime?: { type: string; version: string };
  createdAt: string;
  updatedAt: string;
}

export function emptyState(cluster: string, now = new Date()): StateFile {
  const t = now.toISOString();
  return { schemaVersion: STATE_SCHEMA_VERSION, cluster, hosts: {}, createdAt: t, updatedAt: t };
}

/** Parse and check state.json text; every problem is a UserError naming the file and what is wrong. */
export function parseState(text: string, file: string): StateFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: corrupt state file (not valid JSON: ${(err as Error).message}); fix or move it away, sealts will not overwrite it`);
  }
  const bad = (what: string): never => {
    throw new UserError(`${file}: corrupt state file: ${what}; fix or move it away, sealts will not overwrite it`);
  };
  if (!isObject(raw)) return bad('expected a JSON object');
  if (typeof raw.schemaVersion !== 'number') return bad('missing "schemaVersion"');
  if (raw.schemaVersion > STATE_SCHEMA_VERSION) {
    throw new UserError(`${file}: state schemaVersion ${raw.schemaVersion} was written by a newer sealts (this one reads ${STATE_SCHEMA_VERSION})`);
  }
  if (raw.schemaVersion !== STATE_SCHEMA_VERSION) return bad(`unknown schemaVersion ${raw.schemaVersion}`);
  if (typeof raw.cluster !== 'string' || raw.cluster === '') return bad('"cluster" must be a non-empty string');
  if (!isObject(raw.hosts)) return bad('"hosts" must be an object keyed by IP');
  for (const [ip, h] of Object.entries(raw.hosts)) {
    if (!isObject(h)) return bad(`hosts.${ip} must be an object`);
    if (!Array.isArray(h.roles) || !h.roles.every((r) => r === 'master' || r === 'node')) return bad(`hosts.${ip}.roles must be a list of master|node`);
    if (typeof h.joinedAt !== 'string') return bad(`hosts.${ip}.joinedAt must be a string`);
    for (const k of ['hostname', 'machineId'] as const) {
      if (h[k] !== undefined && typeof h[k] !== 'string') return bad(`hosts.${ip}.${k} must be a string`);
    }
  }
  if (raw.rootfsHash !== undefined && typeof raw.rootfsHash !== 'string') return bad('"rootfsHash" must be a string');
  if (raw.runtime !== undefined && (!isObject(raw.runtime) || typeof raw.runtime.type !== 'string' || typeof raw.runtime.version !== 'string')) {
    return bad('"runtime" must be {type, version}');
  }
  for (const k of ['createdAt', 'updatedAt'] as const) if (typeof raw[k] !== 'string') return bad(`"${k}" must be a string`);
  return raw as unknown as StateFile;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
