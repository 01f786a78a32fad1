// The cluster lifecycle operations the commands call. Each is replaced by its real engine as it lands
// (the runtime issue); until then it throws NotImplementedError (exit 2, one line), never a fake success.
export { applyCluster, type ApplyRequest } from './apply.js';
export { deleteHosts, type DeleteRequest } from './delete.js';
export { joinHosts, type JoinRequest } from './join.js';
export { writeKubeconfig, type KubeconfigRequest } from './kubeconfig.js';
export { clusterStatus, type StatusRequest } from './status.js';
export type { RunFlags } from './types.js';
export { planCluster, type PlanRequest } from './plan.js';
