// kubeadm's part of an upgrade, on a host whose new binaries (and images) the rootfs already
// installed: `kubeadm upgrade plan VERSION` and `kubeadm upgrade apply VERSION` once for the cluster on the first master, `kubeadm
// upgrade node` on every other master and on each worker (its kubelet configuration). The host's
// kubelet patch goes with it (--patches), or the regenerated kubelet configuration would lose what
// the facts decided (failCgroupV1, resolvConf). sealts owns the PKI: kubeadm does not renew it here.
import { execOk, type HostExec } from '../../host/exec.js';
import { sh } from '../../shell/quote.js';
import { PATCHES_DIR } from './config.js';

export interface UpgradeFlags {
  /** The host has a kubelet patch in PATCHES_DIR. */
  patches: boolean;
  /** Preflight checks the host's facts require skipping (cgroup v1: SystemVerification). */
  ignorePreflightErrors: readonly string[];
}

function flags(o: UpgradeFlags): string[] {
  return [
    '--certificate-renewal=false',
    ...(o.patches ? ['--patches', PATCHES_DIR] : []),
    ...(o.ignorePreflightErrors.length > 0 ? ['--ignore-preflight-errors', o.ignorePreflightErrors.join(',')] : []),
  ];
}

/**
 * The cluster's control plane to `version`, on its first master (kubeadm-config, addons, this
 * master's pods). `kubeadm upgrade plan` first: kubeadm's own checks of the cluster and the target
 * (component health, the version skew it allows) stop the upgrade before anything changes. It only
 * takes the preflight flag: plan changes nothing, so there is no certificate renewal or patch to pass.
 */
export async function upgradeApply(h: HostExec, version: string, o: UpgradeFlags): Promise<void> {
  const ignore = o.ignorePreflightErrors.length > 0 ? ['--ignore-preflight-errors', o.ignorePreflightErrors.join(',')] : [];
  await execOk(h, 'kubeadm upgrade plan', sh(['kubeadm', 'upgrade', 'plan', version, ...ignore]));
  await execOk(h, 'kubeadm upgrade apply', sh(['kubeadm', 'upgrade', 'apply', version, '--yes', ...flags(o)]));
}

/** Another master's control plane, or a worker's kubelet configuration, to what the cluster now runs. */
export async function upgradeNode(h: HostExec, o: UpgradeFlags): Promise<void> {
  await execOk(h, 'kubeadm upgrade node', sh(['kubeadm', 'upgrade', 'node', ...flags(o)]));
}
