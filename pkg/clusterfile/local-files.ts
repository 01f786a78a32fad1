// The local files a Clusterfile names (the rootfs image, SSH keys, bastion keys), each with where
// it is written, so a command can check them all before it contacts any host and name the line.
import path from 'node:path';
import { isNode, type Document, type LineCounter } from 'yaml';
import type { Secret } from '../secret/secret.js';
import { expandHome } from '../ssh/auth.js';

export interface LocalFile {
  kind: 'image' | 'key';
  /** The field, e.g. `spec.hosts[1].ssh.pk`. */
  field: string;
  /** Absolute path (relative ones resolved against the Clusterfile's directory, `~/` expanded). */
  path: string;
  /** A key's passphrase, when the Clusterfile gives one. */
  passphrase?: Secret;
  file: string;
  line: number;
  column: number;
}

type Plain = Record<string, unknown>;
type Key = string | number;

interface Source {
  doc: Document;
  lines: LineCounter;
  file: string;
  baseDir: string;
}

/** Every local file of a checked Clusterfile (`data` in sealts shape), in file order, each once. */
export function localFilesOf(data: Plain, src: Source): LocalFile[] {
  const spec = (data.spec ?? {}) as Plain;
  const out: LocalFile[] = [];
  const add = (kind: LocalFile['kind'], field: string, keys: Key[], value: unknown, passphrase?: unknown) => {
    if (typeof value !== 'string' || value === '') return;
    const at = positionOf(src, keys);
    const entry: LocalFile = { kind, field, path: path.resolve(src.baseDir, expandHome(value)), file: src.file, ...at };
    if (passphrase !== undefined) entry.passphrase = passphrase as Secret;
    if (!out.some((o) => o.path === entry.path && o.line === entry.line && o.column === entry.column && Boolean(o.passphrase) === Boolean(entry.passphrase))) out.push(entry);
  };
  add('image', 'spec.image', ['spec', 'image'], spec.image);
  const clusterSsh = (spec.ssh ?? {}) as Plain;
  const groups = Array.isArray(spec.hosts) ? (spec.hosts as Array<Plain | undefined>) : [];
  groups.forEach((group, g) => {
    const own = (group?.ssh ?? {}) as Plain;
    // A group's SSH fields override the cluster's one by one; its bastion replaces the cluster's.
    const pkKeys: Key[] = own.pk !== undefined ? ['spec', 'hosts', g, 'ssh', 'pk'] : ['spec', 'ssh', 'pk'];
    const pkField = own.pk !== undefined ? `spec.hosts[${g}].ssh.pk` : 'spec.ssh.pk';
    add('key', pkField, pkKeys, own.pk ?? clusterSsh.pk, own.pkPasswd ?? clusterSsh.pkPasswd);
    const bastion = (own.bastion ?? clusterSsh.bastion) as Plain | undefined;
    const bastionBase: Key[] = own.bastion !== undefined ? ['spec', 'hosts', g, 'ssh', 'bastion'] : ['spec', 'ssh', 'bastion'];
    const bastionField = own.bastion !== undefined ? `spec.hosts[${g}].ssh.bastion.pk` : 'spec.ssh.bastion.pk';
    if (bastion) add('key', bastionField, [...bastionBase, 'pk'], bastion.pk, bastion.pkPasswd);
  });
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Line and column of the value at `keys`, or of its nearest written ancestor. */
function positionOf(src: Source, keys: Key[]): { line: number; column: number } {
  for (let n = keys.length; n >= 0; n--) {
    const node = src.doc.getIn(keys.slice(0, n), true);
    if (isNode(node)) {
      const { line, col } = src.lines.linePos(node.range?.[0] ?? 0);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}
