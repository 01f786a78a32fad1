// `sealts kubeconfig`: write an admin kubeconfig for the cluster locally (0600).
import { writeAdminKubeconfig } from '../runtime/engine/kubeconfig.js';
import type { RunFlags } from './types.js';

export interface KubeconfigRequest {
  /** Where to write it; undefined = print to stdout. */
  out?: string;
  /** Merge into ~/.kube/config as a context named after the cluster. */
  merge?: boolean;
  /** Server URL for the kubeconfig (default: master0's address). */
  server?: string;
  flags: RunFlags;
}

export async function writeKubeconfig(req: KubeconfigRequest): Promise<void> {
  await writeAdminKubeconfig({ cluster: req.flags.cluster, out: req.out, merge: req.merge, server: req.server });
}
