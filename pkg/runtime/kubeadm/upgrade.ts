// kubeadm's part of an upgrade, on a host whose new binaries (and images) the rootfs already
// installed: `kubeadm upgrade plan VERSION` and `kubeadm upgrade apply VERSION` once for the cluster on the first master, `kubeadm
// upgrade node` on every other master and on each worker (its kubelet configuration). The host's
// kubelet patch goes with it (--patches), or the regenerated kubelet configuration would lose what
// the facts decided (failCgroupV1, resolvConf). sealts owns the PKI: kubeadm does not renew it here.
import { execOk, stepFailed, type HostExec } from '../../host/exec.js';
import { sh, type ShellCommand } from '../../shell/quote.js';
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
export async function upgradeApply(h: HostExec, version: string, o: UpgradeFlags, pause = RETRY_PAUSE_MS): Promise<void> {
  const ignore = o.ignorePreflightErrors.length > 0 ? ['--ignore-preflight-errors', o.ignorePreflightErrors.join(',')] : [];
  await execOk(h, 'kubeadm upgrade plan', sh(['kubeadm', 'upgrade', 'plan', version, ...ignore]));
  await rerunAfterControlPlane(h, 'kubeadm upgrade apply', sh(['kubeadm', 'upgrade', 'apply', version, '--yes', ...flags(o)]), pause);
}

/** Another master's control plane, or a worker's kubelet configuration, to what the cluster now runs. */
export async function upgradeNode(h: HostExec, o: UpgradeFlags, pause = RETRY_PAUSE_MS): Promise<void> {
  await rerunAfterControlPlane(h, 'kubeadm upgrade node', sh(['kubeadm', 'upgrade', 'node', ...flags(o)]), pause);
}

// What kubeadm prints once this host's static pods run the new version; what follows (kubeadm-config,
// kubelet configuration, RBAC, the addon check) only talks to the API.
const CONTROL_PLANE_DONE = /The control plane instance for this node was successfully upgraded!/;
const RETRIES = 3;
const RETRY_PAUSE_MS = 10_000;

/**
 * Run a kubeadm upgrade; when it fails only after this host's control plane is upgraded, run it
 * again (up to RETRIES times, RETRY_PAUSE_MS apart). Those later steps read a cluster that is still
 * settling: the addon check lists every kube-apiserver mirror pod, and right after the restarts the
 * kubelet may not have re-created this master's yet ("cannot find kube-apiserver image for current
 * control plane instance", seen under load). A re-run finds the manifests current, restarts nothing,
 * and redoes only those steps. A failure before that point is kubeadm's to roll back: never re-run.
 */
async function rerunAfterControlPlane(h: HostExec, step: string, cmd: ShellCommand, pause: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await h.exec(cmd);
    if (r.code === 0) return;
    if (attempt > RETRIES || !CONTROL_PLANE_DONE.test(r.stdout)) throw stepFailed(h.host, step, r);
    await new Promise((done) => setTimeout(done, pause));
  }
}
