// The cluster lifecycle operations the commands call: each command file parses its flags and calls one
// of these, which hand over to the runtime engine (pkg/runtime/engine).
export { applyCluster, type ApplyRequest } from './apply.js';
export { deleteHosts, type DeleteRequest } from './delete.js';
export { joinHosts, type JoinRequest } from './join.js';
export { writeKubeconfig, type KubeconfigRequest } from './kubeconfig.js';
export { clusterStatus, type StatusRequest } from './status.js';
export type { RunFlags } from './types.js';
export { planCluster, type PlanRequest } from './plan.js';
