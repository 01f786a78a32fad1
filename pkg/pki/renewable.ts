// The names `cert renew` accepts: kubeadm's (`kubeadm certs renew NAME`), mapped to ensurePki's.
import { UserError } from '../errors/errors.js';

/**
 * kubeadm name -> the leaf / kubeconfig name used in the pki plan. As in kubeadm, kubelet.conf is
 * not renewable: kubelet rotates its own client certificate.
 */
const KUBEADM_NAMES: Record<string, string> = {
  'admin.conf': 'admin.conf',
  'super-admin.conf': 'super-admin.conf',
  'controller-manager.conf': 'controller-manager.conf',
  'scheduler.conf': 'scheduler.conf',
  apiserver: 'apiserver',
  'apiserver-etcd-client': 'apiserver-etcd-client',
  'apiserver-kubelet-client': 'apiserver-kubelet-client',
  'etcd-healthcheck-client': 'etcd/healthcheck-client',
  'etcd-peer': 'etcd/peer',
  'etcd-server': 'etcd/server',
  'front-proxy-client': 'front-proxy-client',
};

export const RENEWABLE: readonly string[] = Object.keys(KUBEADM_NAMES);

/** "all" -> every name; a kubeadm name (or "etcd/server" spelling) -> its plan name. */
export function renewKey(name: string): string[] {
  if (name === 'all') return Object.values(KUBEADM_NAMES);
  const key = KUBEADM_NAMES[name] ?? Object.values(KUBEADM_NAMES).find((v) => v === name);
  if (!key) throw new UserError(`cert renew: unknown certificate ${JSON.stringify(name)}; expected all or one of ${RENEWABLE.join(', ')}`);
  return [key];
}
