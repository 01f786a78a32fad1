// The Kubernetes releases sealts supports and what each one is built and shipped with (etcd, pause,
// CoreDNS, containerd): read from the one table, kubernetes.json, which scripts/kube-bins.sh reads too.
import table from './kubernetes.json' with { type: 'json' };
import { UserError } from '../errors/errors.js';

export interface Release {
  /** etcd's Go module version built, and the image tag kubeadm expects for it. */
  etcd: { module: string; imageTag: string };
  /** The pause image tag (built from the Kubernetes module's own pause.c). */
  pause: string;
  /** kubeadm's own CoreDNS default, and the version built from the proxy (the image carries this tag). */
  coredns: { kubeadm: string; built: string };
  /** containerd built and shipped in the rootfs, and the oldest one this release works with. */
  containerd: { module: string; minimum: string };
}

const releases = table.releases as Record<string, Release>;

/** The default Kubernetes version of a kubeadm cluster. */
export const DEFAULT_KUBERNETES_VERSION: string = table.default;

export function supportedVersions(): string[] {
  return Object.keys(releases);
}

export function releaseOf(version: string): Release | undefined {
  return releases[version];
}

/** The release of `version`, or a UserError naming the versions sealts can build a rootfs for. */
export function mustRelease(version: string): Release {
  const r = releaseOf(version);
  if (!r) throw new UserError(`Kubernetes ${version}: no entry in sealts' version table (supported: ${supportedVersions().join(', ')})`);
  return r;
}

export const IMAGE_REPOSITORY = 'registry.k8s.io';

/** The images a control plane needs beyond those every host needs. */
export type ImageRole = 'master' | 'all';

export interface ImageRef {
  /** Component name, e.g. kube-apiserver. */
  component: string;
  /** Full reference, as kubeadm's `config images list` names it (CoreDNS: the built tag). */
  ref: string;
  role: ImageRole;
}

/**
 * The pause image the CRI keeps pinned: the table's, or kubeadm's 3.10 for a version the table lacks
 * (a rootfs that ships containerd is always built from the table).
 */
export function pauseImage(version: string): string {
  return `${IMAGE_REPOSITORY}/pause:${releaseOf(version)?.pause ?? '3.10'}`;
}

/** Every image a kubeadm cluster of `version` runs, with the names kubeadm asks containerd for. */
export function imagesOf(version: string): ImageRef[] {
  const r = mustRelease(version);
  const img = (component: string, tag: string, role: ImageRole, repo = `${IMAGE_REPOSITORY}/${component}`): ImageRef => ({ component, ref: `${repo}:${tag}`, role });
  return [
    img('kube-apiserver', version, 'master'),
    img('kube-controller-manager', version, 'master'),
    img('kube-scheduler', version, 'master'),
    img('etcd', r.etcd.imageTag, 'master'),
    img('kube-proxy', version, 'all'),
    { component: 'pause', ref: pauseImage(version), role: 'all' },
    img('coredns', r.coredns.built, 'all', `${IMAGE_REPOSITORY}/coredns/coredns`),
  ];
}
