// The real kubeadm as a test oracle (`kubeadm config validate`, strict: unknown fields and wrong types
// are errors), built by test/oracles/build-kubeadm.sh (`make oracles`). Shared by the tests that use it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const ORACLE_VERSION = process.env.KUBEADM_VERSION ?? 'v1.32.2';
export const ORACLE = path.join(process.env.SEALTS_ORACLE_CACHE ?? '/var/cache/sealts-oracles', `kubeadm-${ORACLE_VERSION}`);

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
