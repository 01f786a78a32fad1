// `sealts version` (and `sealts --version`): sealts' own version and the Kubernetes it installs by default.
import type { Command } from 'commander';
import { writeDocument } from '../../pkg/output/document.js';
import { packageVersion } from '../../pkg/package/root.js';
import { DEFAULT_KUBERNETES_VERSION } from '../../pkg/versions/index.js';
import { action, example, globals } from '../global.js';

export interface VersionInfo {
  sealts: string;
  /** spec.runtime.version when a Clusterfile gives none. */
  kubernetes: string;
  node: string;
}

export function versionInfo(): VersionInfo {
  return { sealts: packageVersion(), kubernetes: DEFAULT_KUBERNETES_VERSION, node: process.version };
}

export function versionText(v: VersionInfo = versionInfo()): string {
  return `sealts ${v.sealts}\nKubernetes ${v.kubernetes} (default)`;
}

export function register(program: Command): void {
  const cmd = program
    .command('version')
    .description("print sealts' version and the default Kubernetes version")
    .action(
      action(async (_opts: unknown, c: Command) => {
        const g = globals(c);
        if (g.output === 'text') process.stdout.write(`${versionText()}\n`);
        else writeDocument(g.output, versionInfo());
      }),
    );
  example(cmd, 'sealts version -o json');
}
