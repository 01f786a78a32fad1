// The host-side paths the kubeadm runtime owns, in one place so delete/reset remove exactly them.
export const KUBEADM_CONFIG_DIR = '/etc/sealts';
export const INIT_CONFIG = `${KUBEADM_CONFIG_DIR}/kubeadm-init.yaml`;
export const JOIN_CONFIG = `${KUBEADM_CONFIG_DIR}/kubeadm-join.yaml`;
export const TOKEN_CONFIG = `${KUBEADM_CONFIG_DIR}/kubeadm-token.yaml`;
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const ROOT_KUBECONFIG = '/root/.kube/config';
/** What root's kubectl (sealts' own drains and deletes among them) caches beside it. */
export const ROOT_KUBECTL_CACHE = '/root/.kube/cache';

/** The kubelet version the facts last read, keyed by the binary's identity (facts.ts). */
export const KUBELET_VERSION_CACHE = '/var/lib/sealts/kubelet-version';

/** What `kubeadm reset` leaves behind and sealts removes (kubeadm says so in its own output). */
export const LEFTOVERS = ['/etc/kubernetes', '/var/lib/etcd', '/var/lib/kubelet', '/etc/cni/net.d', '/var/lib/cni', ROOT_KUBECONFIG, ROOT_KUBECTL_CACHE, KUBEADM_CONFIG_DIR, KUBELET_VERSION_CACHE];
