// What `sealts rootfs inspect` prints: the manifest summarised by section.
import type { Manifest } from './manifest.js';

export interface RootfsSummary {
  kubernetesVersion: string;
  arch: string;
  files: number;
  bytes: number;
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
    binaries: under('bin'),
    images: under('images'),
    manifests: under('manifests'),
  };
}

export function summaryText(s: RootfsSummary): string {
  return [
    `kubernetes: ${s.kubernetesVersion}`,
    `arch:       ${s.arch}`,
    `files:      ${s.files} (${s.bytes} bytes)`,
    `binaries:   ${s.binaries.join(', ') || '-'}`,
    `images:     ${s.images.join(', ') || '-'}`,
    `manifests:  ${s.manifests.join(', ') || '-'}`,
  ].join('\n');
}
