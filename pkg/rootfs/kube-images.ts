// The container images of a kubeadm cluster, made from the binaries scripts/kube-bins.sh built:
// FROM-scratch images holding one static binary (apiserver, controller-manager, scheduler, etcd,
// pause, CoreDNS), and kube-proxy with the machine's Debian iptables (kube-proxy execs
// iptables-restore, so a scratch image cannot work), its shared libraries and its extensions.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors/errors.js';
import { imagesOf, type ImageRef } from '../versions/index.js';
import type { ImageSpec, LayerEntry } from './oci.js';

const run = promisify(execFile);

/** Where Debian keeps iptables' multi-call binaries and their extension modules. */
const XTABLES_NFT = '/usr/sbin/xtables-nft-multi';
const XTABLES_LEGACY = '/usr/sbin/xtables-legacy-multi';
const XTABLES_LIBDIR = '/usr/lib/x86_64-linux-gnu/xtables';
const IPTABLES_NAMES = ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'];

/** Shared libraries (and the loader) that `ldd` says `files` load, as image entries at the same paths. */
async function sharedLibraries(files: string[]): Promise<LayerEntry[]> {
  const libs = new Set<string>();
  for (const f of files) {
    const { stdout } = await run('ldd', [f]).catch((e: Error) => {
      throw new UserError(`ldd ${f}: ${e.message.split('\n')[0]}`);
    });
    for (const line of stdout.split('\n')) {
      const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (m) libs.add(m[1]!);
    }
  }
  return [...libs].sort().map((lib) => ({ path: lib, source: lib, mode: 0o755 }));
}

/** kube-proxy plus iptables (nft and legacy backends, as kube-proxy may pick either). */
async function kubeProxyEntries(binDir: string): Promise<LayerEntry[]> {
  const modules = (await readdir(XTABLES_LIBDIR).catch(() => {
    throw new UserError(`${XTABLES_LIBDIR}: missing; the kube-proxy image needs Debian's iptables on this machine (apt-get install iptables)`);
  })).filter((f) => f.endsWith('.so'));
  const moduleFiles = modules.map((m) => path.join(XTABLES_LIBDIR, m));
  return [
    { path: '/usr/local/bin/kube-proxy', source: path.join(binDir, 'kube-proxy') },
    { path: XTABLES_NFT, source: XTABLES_NFT },
    { path: XTABLES_LEGACY, source: XTABLES_LEGACY },
    ...IPTABLES_NAMES.map((n) => ({ path: `/usr/sbin/${n}`, symlink: 'xtables-nft-multi' })),
    ...IPTABLES_NAMES.map((n) => ({ path: `/usr/sbin/${n.replace(/^(ip6?tables)/, '$1-legacy')}`, symlink: 'xtables-legacy-multi' })),
    ...moduleFiles.map((f) => ({ path: f, source: f, mode: 0o644 })),
    ...(await sharedLibraries([XTABLES_NFT, XTABLES_LEGACY, ...moduleFiles])),
    { path: '/run', dir: true },
    { path: '/tmp', dir: true },
    { path: '/var/lib/kube-proxy', dir: true },
  ];
}

export interface KubeImage extends ImageRef {
  spec: ImageSpec;
}

/** The image specs for `version` from the binaries in binDir (every one must be there). */
export async function kubeImageSpecs(binDir: string, version: string, arch: string): Promise<KubeImage[]> {
  const bin = (name: string) => path.join(binDir, name);
  const single = (name: string, at = `/usr/local/bin/${name}`): LayerEntry[] => [{ path: at, source: bin(name) }, { path: '/tmp', dir: true }];
  const contents: Record<string, () => Promise<{ entries: LayerEntry[]; entrypoint?: string[] }>> = {
    'kube-apiserver': async () => ({ entries: single('kube-apiserver') }),
    'kube-controller-manager': async () => ({ entries: single('kube-controller-manager') }),
    'kube-scheduler': async () => ({ entries: single('kube-scheduler') }),
    etcd: async () => ({ entries: [...single('etcd'), { path: '/usr/local/bin/etcdctl', source: bin('etcdctl') }, { path: '/var/lib/etcd', dir: true }] }),
    'kube-proxy': async () => ({ entries: await kubeProxyEntries(binDir) }),
    pause: async () => ({ entries: [{ path: '/pause', source: bin('pause') }], entrypoint: ['/pause'] }),
    coredns: async () => ({ entries: [{ path: '/coredns', source: bin('coredns') }, { path: '/etc/coredns', dir: true }], entrypoint: ['/coredns'] }),
  };
  const out: KubeImage[] = [];
  for (const img of imagesOf(version)) {
    const make = contents[img.component];
    if (!make) throw new Error(`no image recipe for ${img.component}`);
    const { entries, entrypoint } = await make();
    out.push({ ...img, spec: { ref: img.ref, arch, entries, entrypoint } });
  }
  return out;
}

/** The archive file name of an image: images/<role>/<component>.tar. */
export function imageArchivePath(img: ImageRef): string {
  return path.posix.join('images', img.role, `${img.component}.tar`);
}
