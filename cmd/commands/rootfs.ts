// `sealts rootfs build|inspect`: flags only; the work is in pkg/rootfs.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { action, globals } from '../global.js';
import { DEFAULT_KUBERNETES_VERSION } from '../../pkg/versions/index.js';
import { buildRootfs, describeRootfs, loadRootfs, summaryText } from '../../pkg/rootfs/index.js';


export function register(program: Command): void {
  const rootfs = program.command('rootfs').description('build and inspect rootfs images (Kubernetes binaries, scripts, images)');

  rootfs
    .command('build')
    .description('assemble a rootfs image: the built-in skeleton plus real Kubernetes (--kube-bins) or a directory of binaries')
    .option('--kube-bins <dir>', 'a cache of scripts/kube-bins.sh: binaries, images, containerd, CNI (a real rootfs)')
    .option('--bin-dir <dir>', 'binaries to install on every host as they are (kubeadm, kubelet, kubectl ...)')
    .option('--images-dir <dir>', 'OCI/docker image tars to import into containerd')
    .option('--kubernetes-version <v>', 'Kubernetes version the binaries are', DEFAULT_KUBERNETES_VERSION)
    .option('--arch <arch>', 'architecture of the binaries (default: this machine\'s)')
    .requiredOption('-o, --out <image>', 'output: a new directory, or a file ending in .tar.gz')
    .action(
      action(async (opts: { binDir?: string; kubeBins?: string; imagesDir?: string; kubernetesVersion: string; arch?: string; out: string }, cmd: Command) => {
        const g = globals(cmd);
        const m = await buildRootfs({ binDir: opts.binDir, kubeBins: opts.kubeBins, imagesDir: opts.imagesDir, kubernetesVersion: opts.kubernetesVersion, arch: opts.arch, out: opts.out });
        const s = describeRootfs(m);
        if (g.output === 'json') process.stdout.write(JSON.stringify({ image: opts.out, ...s }, null, 2) + '\n');
        else if (g.output === 'yaml') process.stdout.write(stringify({ image: opts.out, ...s }));
        else process.stdout.write(`built ${opts.out}\n${summaryText(s)}\n`);
      }),
    );

  rootfs
    .command('inspect')
    .description('verify a rootfs image against its manifest and print what it holds')
    .argument('<image>', 'rootfs directory or .tar.gz')
    .action(
      action(async (image: string, _opts: unknown, cmd: Command) => {
        const g = globals(cmd);
        const r = await loadRootfs(image);
        try {
          const out = g.output === 'text' ? undefined : { image, ...describeRootfs(r.manifest), manifest: r.manifest };
          if (g.output === 'json') process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          else if (g.output === 'yaml') process.stdout.write(stringify(out));
          else process.stdout.write(`${image}: verified\n${summaryText(describeRootfs(r.manifest))}\n`);
        } finally {
          await r.close();
        }
      }),
    );
}
