// The runtime seam: the contract, and the one function that picks the implementation for a cluster.
import { UserError } from '../errors/errors.js';
import { KubeadmRuntime } from './kubeadm/kubeadm.js';
import type { Runtime, RuntimeDeps } from './runtime.js';

export type { EtcdSnapshot, FetchedPkiFile, MemberFacts, RemoveOptions, RenderedConfig, ResetOptions, Runtime, RuntimeDeps } from './runtime.js';
export { hostSettings, hostInputFiles, type HostSettings } from './host-settings.js';

export function runtimeFor(deps: RuntimeDeps): Runtime {
  const type = deps.cluster.runtime.type;
  if (type === 'kubeadm') return new KubeadmRuntime(deps);
  // Validation refuses other types until they exist; this is the backstop.
  throw new UserError(`spec.runtime.type ${type}: not supported yet`);
}
