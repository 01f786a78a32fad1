// kubeadm's `extraArgs`: a map in v1beta3, a list of {name, value} in v1beta4. Internally sealts keeps
// a map; it reads either form from a user's override and writes the form the target API wants.
import type { KubeadmApiVersion } from './version.js';
import { isPlainObject } from '../merge.js';

export type ArgMap = Record<string, string>;

/** Read either form; anything else is reported by the caller as a bad override. */
export function readExtraArgs(v: unknown): ArgMap | undefined {
  if (isPlainObject(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  }
  if (Array.isArray(v) && v.every((e) => isPlainObject(e) && typeof e.name === 'string')) {
    return Object.fromEntries(v.map((e) => [String((e as { name: string }).name), String((e as { value?: unknown }).value ?? '')]));
  }
  return undefined;
}

export function writeExtraArgs(args: ArgMap, api: KubeadmApiVersion): unknown {
  if (api === 'kubeadm.k8s.io/v1beta3') return { ...args };
  return Object.entries(args).map(([name, value]) => ({ name, value }));
}

/** The keys under which kubeadm documents hold extraArgs tables. */
export const EXTRA_ARGS_KEYS = new Set(['extraArgs', 'kubeletExtraArgs']);
