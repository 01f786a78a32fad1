// ~/.sealts/<cluster>/ (or $SEALTS_HOME/<cluster>/): everything sealts keeps about one cluster.
//   Clusterfile          the last applied Clusterfile (holds passwords: 0600)
//   state.json           hosts joined, roles, hostnames, machine-ids, rootfs hash, runtime version
//   pki/                 CA and certificates (owned by pkg/pki)
//   logs/<run-id>/<host>.log
//   known_hosts          host keys sealts has accepted (read/appended by pkg/ssh)
//   lock                 pid of the sealts run holding the cluster
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors/errors.js';
import { writeFileAtomic } from './atomic.js';
import { acquireLock, type Lock, type LockOptions } from './lock.js';
import { parseState, type StateFile } from './schema.js';

const DIR_MODE = 0o700;
const SECRET_FILE_MODE = 0o600;
/** Cluster names become directory names: keep them to DNS-label-like text. */
const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const ARCHIVE_DIR = '.archive';

/** The root of all cluster state: $SEALTS_HOME, else ~/.sealts. */
export function sealtsHome(): string {
  const env = process.env.SEALTS_HOME;
  return env && env !== '' ? env : join(homedir(), '.sealts');
}

export function validateClusterName(name: string): void {
  if (!NAME.test(name)) {
    throw new UserError(`invalid cluster name ${JSON.stringify(name)}: use lower-case letters, digits, '.', '-', '_' (at most 63)`);
  }
}

export class ClusterState {
  readonly name: string;
  readonly dir: string;

  constructor(name: string, dir: string) {
    this.name = name;
    this.dir = dir;
  }

  get clusterfilePath(): string {
    return join(this.dir, 'Clusterfile');
  }

  get statePath(): string {
    return join(this.dir, 'state.json');
  }

  get lockPath(): string {
    return join(this.dir, 'lock');
  }

  /** Whether anything has been recorded for this cluster yet. */
  async exists(): Promise<boolean> {
    return (await readOptional(this.statePath)) !== undefined || (await readOptional(this.clusterfilePath)) !== undefined;
  }

  /** The last applied Clusterfile text, or undefined if none was applied. */
  async readClusterfile(): Promise<string | undefined> {
    return readOptional(this.clusterfilePath);
  }

  async writeClusterfile(text: string): Promise<void> {
    await this.ensureDir();
    await writeFileAtomic(this.clusterfilePath, text, { mode: SECRET_FILE_MODE });
  }

  /** state.json, or undefined if the cluster was never applied. Corrupt -> UserError naming the file. */
  async read(): Promise<StateFile | undefined> {
    const text = await readOptional(this.statePath);
    return text === undefined ? undefined : parseState(text, this.statePath);
  }

  /**
   * Replace state.json atomically. Refuses to overwrite a corrupt file (the read throws first), so a
   * damaged state is never silently replaced. `updatedAt` is stamped here.
   */
  async write(state: StateFile, now = new Date()): Promise<void> {
    await this.ensureDir();
    await this.read();
    const next: StateFile = { ...state, cluster: this.name, updatedAt: now.toISOString() };
    await writeFileAtomic(this.statePath, JSON.stringify(next, null, 2) + '\n', { mode: SECRET_FILE_MODE });
  }

  /** logs/<runId>/, created 0700. */
  async logDir(runId: string): Promise<string> {
    if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new UserError(`invalid run id ${JSON.stringify(runId)}`);
    const dir = join(this.dir, 'logs', runId);
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  /** pki/, created 0700 (pkg/pki writes keys 0600 inside). */
  async pkiDir(): Promise<string> {
    const dir = join(this.dir, 'pki');
    await this.ensureDir();
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  /** sealts' own known_hosts for this cluster (nothing is created: the file may not exist). */
  get knownHostsFile(): string {
    return join(this.dir, 'known_hosts');
  }

  /** sealts' own known_hosts for this cluster (the file may not exist yet; its dir does). */
  async knownHostsPath(): Promise<string> {
    await this.ensureDir();
    return this.knownHostsFile;
  }

  /** Take the cluster lock; a second apply on the same cluster fails naming the pid holding it. */
  async lock(o: LockOptions = {}): Promise<Lock> {
    await this.ensureDir();
    return acquireLock(this.lockPath, this.name, o);
  }

  /**
   * After `delete --all`: move the whole directory to <home>/.archive/<name>-<time>/ (kept, not
   * deleted: it holds the CA and the logs of the removal). Returns the archive path.
   */
  async archive(now = new Date()): Promise<string> {
    const root = join(sealtsHome(), ARCHIVE_DIR);
    await mkdir(root, { recursive: true, mode: DIR_MODE });
    const dest = join(root, `${this.name}-${now.toISOString().replace(/[:.]/g, '-')}`);
    await rename(this.dir, dest);
    return dest;
  }

  async ensureDir(): Promise<void> {
    await mkdir(sealtsHome(), { recursive: true, mode: DIR_MODE });
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
  }
}

/** The state of cluster `name` (nothing is created until something is written). */
export function openState(name: string): ClusterState {
  validateClusterName(name);
  return new ClusterState(name, join(sealtsHome(), name));
}

/** Names of every cluster with a directory under the sealts home (archived ones excluded). */
export async function listClusters(): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(sealtsHome(), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.isDirectory() && NAME.test(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * The cluster a command means: --cluster if given, else the only cluster there is.
 * With none or several, a clear UserError saying what to pass.
 */
export async function resolveClusterName(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  const all = await listClusters();
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new UserError(`no cluster found in ${sealtsHome()}; apply one first, or pass --cluster NAME`);
  throw new UserError(`several clusters in ${sealtsHome()} (${all.join(', ')}); pass --cluster NAME`);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new UserError(`${path}: expected a file, found a directory`);
    throw err;
  }
}

/** A run id: sortable UTC time plus a short random tail, used as the logs/<run-id>/ directory name. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${Math.random().toString(16).slice(2, 6)}`;
}
