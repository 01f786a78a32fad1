// The runtime seam: the contract, and the one function that picks the implementation for a cluster.
import { K0sRuntime } from './k0s/k0s.js';
import { KubeadmRuntime } from './kubeadm/kubeadm.js';
import type { Runtime, RuntimeDeps } from './runtime.js';

export type { EtcdSnapshot, FetchedPkiFile, MemberFacts, RemoveOptions, RenderedConfig, ResetOptions, Runtime, RuntimeDeps } from './runtime.js';
export { hostSettings, hostInputFiles, type HostSettings } from './host-settings.js';

export function runtimeFor(deps: RuntimeDeps): Runtime {
  return deps.cluster.runtime.type === 'k0s' ? new K0sRuntime(deps) : new KubeadmRuntime(deps);
}

export { notForK0s } from './k0s/k0s.js';
