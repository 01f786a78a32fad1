// Public surface of pkg/pki: the cluster's certificates and kubeconfigs, kubeadm's layout.
//
// Local layout under `dir` (the state dir's pki/, or `sealts cert generate --out`):
//   <dir>/ca.crt|key, front-proxy-ca.*, front-proxy-client.*, apiserver-kubelet-client.*,
//         apiserver-etcd-client.*, sa.key, sa.pub, etcd/{ca,healthcheck-client}.*   (shared by all masters)
//   <dir>/admin.conf, <dir>/super-admin.conf (Kubernetes >= 1.29)                   (shared)
//   <dir>/masters/<ip>/apiserver.*, etcd/{server,peer}.*, controller-manager.conf,
//         scheduler.conf, kubelet.conf                                            (that master's names)
//   <dir>/nodes/<ip>/kubelet.conf
// `filesForMaster` / `filesForNode` map these to their /etc/kubernetes paths and modes for upload.
export type { HostIdentity, PkiResult, CaPair, PkiFile, ExpirationRow } from './types.js';
export { ensurePki, type EnsureOptions } from './ensure.js';
export { loadCaFromPem } from './ca.js';
export { filesForMaster, filesForNode, KUBERNETES_DIR } from './layout.js';
export { caCertHash } from './fingerprint.js';
export { expirationRows, readExpirationsFromDir, formatExpirationTable, type CertFileText } from './expiration.js';
export { RENEWABLE, renewKey } from './renewable.js';
export { CA_NAMES, APISERVER_DOMAIN, APISERVER_PORT, type CaName } from './specs.js';
export { defaultHostname } from './names.js';
export { identitiesOf, parseHostnameFlags } from './identities.js';
export { readExpirationsFromHosts, reissueOnMasters, readClusterCas, type ReissueOptions, type ReissueResult, type HostPush } from './remote.js';
export { KeyPool, keysNeeded } from './keypool.js';
