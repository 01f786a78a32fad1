// The real kubeadm as a test oracle (`kubeadm config validate`, strict: unknown fields and wrong types
// are errors): the same binary the real rootfs ships, built by scripts/kube-bins.sh (`make kube-bins`),
// one Kubernetes build per version. Shared by the tests that use it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KUBERNETES_VERSION } from '../../pkg/versions/index.js';

export const ORACLE_VERSION = process.env.SEALTS_KUBE_VERSION ?? DEFAULT_KUBERNETES_VERSION;
export const ORACLE = path.join(process.env.SEALTS_KUBE_CACHE ?? '/var/cache/sealts-kube', ORACLE_VERSION, 'bin', 'kubeadm');
export const KUBE_BINS = fileURLToPath(new URL('../../scripts/kube-bins.sh', import.meta.url));

/** Write `text` to dir/name and run the oracle's `config validate` on it. */
export function validate(text: string, dir: string, name: string): { ok: boolean; out: string } {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  try {
    const out = execFileSync(ORACLE, ['config', 'validate', '--config', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, out };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}
