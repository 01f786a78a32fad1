// The workflows the commands call: each is its list of phases (./phases, one file each) over one
// opened cluster (./open.ts). cmd/ parses flags and calls one of these.
export { applyCluster, APPLY_PHASES, type ApplyRequest } from './apply.js';
export { adoptCluster, ADOPT_PHASES, type AdoptRequest } from './adopt.js';
export { deleteHosts, DELETE_PHASES, type DeleteRequest } from './delete.js';
export { joinHosts, type JoinRequest } from './join.js';
export { writeKubeconfig, localKubeconfig, mergeKubeconfig, type KubeconfigRequest } from './kubeconfig.js';
export { clusterStatus, type HostStatus, type StatusRequest } from './status.js';
export { planCluster, type PlanRequest } from './plan.js';
export { withCluster, type OpenedCluster, type RunFlags } from './open.js';
export { checkLocalInputs, type LocalInputNeeds } from './local-inputs.js';
export { backupEtcd, restoreEtcd, ETCD_BACKUP_PHASES, ETCD_RESTORE_PHASES, type EtcdRequest } from './etcd.js';
export { upgradeCluster, UPGRADE_PHASES, type UpgradeRequest } from './upgrade.js';
