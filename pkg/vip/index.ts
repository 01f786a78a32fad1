// Public surface of pkg/vip: the apiserver VIP on nodes (iptables or ipvs) and its real check.
export { setupVip, removeVip, vipCurrent, VIP_TRACKED, type VipSetup } from './vip.js';
export { chooseVipMode, type ResolvedVipMode, type VipModeChoice, type VipNodeFacts } from './detect.js';
export { checkVip, checkHostsMapping, API_SERVER_NAME, type VipCheck } from './check.js';
export { renderApplyScript, type VipTarget } from './iptables.js';
export { IPVS_SCRIPT_TEXT, renderTargets, LINK as IPVS_LINK } from './ipvs.js';
export { HEALTH_FUNCTIONS, renderUnit, UNIT_NAME } from './watch.js';
export { withHostsEntry, setHostsEntry, hostsEntryFile, HOSTS_FILE } from './hosts-file.js';
