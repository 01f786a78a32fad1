// `sealts rootfs build|inspect`: flags only; the work is in pkg/rootfs.
import type { Command } from 'commander';
import { writeDocument } from '../../pkg/output/document.js';
import { action, example, globals, say } from '../global.js';
import { DEFAULT_KUBERNETES_VERSION } from '../../pkg/versions/index.js';
import { UserError } from '../../pkg/errors/errors.js';
import { BUILD_HINT, buildRootfs, describeRootfs, loadRootfs, skeletonAt, skeletonMessage, summaryText } from '../../pkg/rootfs/index.js';

export function register(program: Command): void {
  const rootfs = program.command('rootfs').description('build and inspect rootfs images (Kubernetes binaries, scripts, images)');

  const build = rootfs
    .command('build')
    .description('assemble a rootfs image: the built-in skeleton plus real Kubernetes (--kube-bins) or a directory of binaries')
    .option('--kube-bins <dir>', 'a cache of scripts/kube-bins.sh: binaries, images, containerd, CNI (a real rootfs)')
    .option('--bin-dir <dir>', 'binaries to install on every host as they are (kubeadm, kubelet, kubectl ...)')
    .option('--images-dir <dir>', 'OCI/docker image tars to import into containerd')
    .option('--kubernetes-version <v>', 'Kubernetes version the binaries are (a k0s rootfs: the k0s version, vX.Y.Z+k0s.N, with bin/k0s)', DEFAULT_KUBERNETES_VERSION)
    .option('--arch <arch>', 'architecture of the binaries (default: this machine\'s)')
    .requiredOption('-o, --out <image>', 'output: a new directory, or a file ending in .tar.gz')
    .action(
      action(async (opts: { binDir?: string; kubeBins?: string; imagesDir?: string; kubernetesVersion: string; arch?: string; out: string }, cmd: Command) => {
        const g = globals(cmd);
        const m = await buildRootfs({ binDir: opts.binDir, kubeBins: opts.kubeBins, imagesDir: opts.imagesDir, kubernetesVersion: opts.kubernetesVersion, arch: opts.arch, out: opts.out, onNote: (n) => say(g, `note: ${n}\n`, process.stderr) });
        const s = describeRootfs(m);
        if (g.output !== 'text') writeDocument(g.output, { image: opts.out, ...s });
        else say(g, `built ${opts.out}\n${summaryText(s)}\n`);
      }),
    );

  example(
    build,
    'sealts rootfs build --kube-bins /var/cache/sealts-kube/v1.36.3 -o rootfs-v1.36.3.tar.gz    # the binaries: scripts/kube-bins.sh v1.36.3',
    'sealts rootfs build --bin-dir ./bin --images-dir ./images --kubernetes-version v1.36.3 -o rootfs-custom',
    'sealts rootfs build --bin-dir ./k0s-bin --kubernetes-version v1.36.3+k0s.0 -o rootfs-k0s.tar.gz    # ./k0s-bin/k0s: the k0s release binary',
  );

  const inspect = rootfs
    .command('inspect')
    .description('verify a rootfs image against its manifest and print what it holds')
    .argument('<image>', 'rootfs directory or .tar.gz')
    .action(
      action(async (image: string, _opts: unknown, cmd: Command) => {
        const g = globals(cmd);
        // The skeleton (the repo's rootfs/) is what build starts from: described, not verified.
        const skeleton = await skeletonAt(image);
        if (skeleton) {
          if (skeleton.missing.length > 0) throw new UserError(skeletonMessage(skeleton));
          const { scripts, etc, builtIn } = skeleton;
          if (g.output !== 'text') writeDocument(g.output, { image, skeleton: true, builtIn, scripts, etc, message: skeletonMessage(skeleton), build: BUILD_HINT });
          else process.stdout.write(`${skeletonMessage(skeleton)}\nscripts:    ${scripts.join(', ')}\netc:        ${etc.join(', ')}\n`);
          return;
        }
        const r = await loadRootfs(image);
        try {
          if (g.output !== 'text') writeDocument(g.output, { image, ...describeRootfs(r.manifest), manifest: r.manifest });
          else process.stdout.write(`${image}: verified\n${summaryText(describeRootfs(r.manifest))}\n`);
        } finally {
          await r.close();
        }
      }),
    );
  example(inspect, 'sealts rootfs inspect rootfs-v1.36.3.tar.gz', 'sealts rootfs inspect rootfs-v1.36.3.tar.gz -o json | jq .manifest.kubernetesVersion');
}
