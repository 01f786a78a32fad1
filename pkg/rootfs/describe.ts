// What `sealts rootfs inspect` prints: the manifest summarised by section.
import { filesFor, type Manifest } from './manifest.js';
import { transferBytes } from './payload.js';

/** Bytes of a role's part as sent: unpacked, and with each codec's compressed copies. */
export interface RolePart {
  files: number;
  bytes: number;
  sent: { zstd: number; gzip: number };
}

export interface RootfsSummary {
  kubernetesVersion: string;
  arch: string;
  files: number;
  bytes: number;
  /** What a host of each role receives (files, bytes, and bytes as sent with each codec). */
  roles: { master: RolePart; node: RolePart };
  binaries: string[];
  images: string[];
  manifests: string[];
}

export function describeRootfs(m: Manifest): RootfsSummary {
  const under = (dir: string) => m.files.filter((f) => f.path.startsWith(`${dir}/`)).map((f) => f.path.slice(dir.length + 1));
  return {
    kubernetesVersion: m.kubernetesVersion,
    arch: m.arch,
    files: m.files.length,
    bytes: m.files.reduce((n, f) => n + f.size, 0),
    roles: { master: part(m, 'master'), node: part(m, 'node') },
    binaries: under('bin'),
    images: under('images'),
    manifests: under('manifests'),
  };
}

function part(m: Manifest, role: 'master' | 'node'): RolePart {
  const files = filesFor(m, role);
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), sent: { zstd: transferBytes(files, 'zstd'), gzip: transferBytes(files, 'gzip') } };
}

const sent = (p: RolePart) => `sent as ${p.sent.zstd} bytes with zstd, ${p.sent.gzip} with gzip`;

export function summaryText(s: RootfsSummary): string {
  return [
    `kubernetes: ${s.kubernetesVersion}`,
    `arch:       ${s.arch}`,
    `files:      ${s.files} (${s.bytes} bytes)`,
    `a master:   ${s.roles.master.files} files (${s.roles.master.bytes} bytes; ${sent(s.roles.master)})`,
    `a node:     ${s.roles.node.files} files (${s.roles.node.bytes} bytes; ${sent(s.roles.node)})`,
    `binaries:   ${s.binaries.join(', ') || '-'}`,
    `images:     ${s.images.join(', ') || '-'}`,
    `manifests:  ${s.manifests.join(', ') || '-'}`,
  ].join('\n');
}
