// Upgrade, save: the new version and rootfs in state.json, the stored Clusterfile and the cluster's record.
import type { Phase } from '../../phase/types.js';
import type { UpgradeRun } from '../upgrade.js';
import { saveRun } from './save-state.js';

export const upgradeSave: Phase<UpgradeRun> = {
  title: 'Save state',
  run: (ctx) => saveRun(ctx, ctx.upgrade!.via!),
  dryRun: (ctx) => ctx.intent(undefined, `record ${ctx.cluster.runtime.version} and the new rootfs in state.json and in ConfigMap kube-system/sealts-cluster`),
};
