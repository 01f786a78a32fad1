// A tiny container image made by hand, so containers can run in a fleet host with no registry:
// busybox-static as /bin/busybox (+ /bin/sh), packed by sealts' own OCI archive writer
// (pkg/rootfs/oci.ts) into what `ctr images import` accepts.
import { ociArchive } from '../../pkg/rootfs/oci.js';

export const BUSYBOX_IMAGE = 'docker.io/sealts/busybox:test';

/** Builds the archive; returns it as bytes (about 1 MB). */
export async function busyboxOciArchive(ref = BUSYBOX_IMAGE, busybox = '/bin/busybox'): Promise<Buffer> {
  const { archive } = await ociArchive({
    ref,
    arch: process.arch === 'arm64' ? 'arm64' : 'amd64',
    entries: [{ path: '/bin/busybox', source: busybox }, { path: '/bin/sh', symlink: 'busybox' }],
    cmd: ['/bin/sh'],
    env: ['PATH=/bin'],
  });
  return archive;
}
