// kubeadm's table of certificates and kubeconfigs (REFERENCE-kubeadm.md), for one cluster.
import type { Cluster } from '../clusterfile/types.js';
import { UserError } from '../errors/errors.js';
import type { CertificateRequest } from './cert.js';
import { checkNodeName, classifySans, firstServiceIp, hasSuperAdmin, kubeletClientGroups, serverUrl } from './names.js';
import type { HostIdentity } from './types.js';

export type CaName = 'ca' | 'front-proxy-ca' | 'etcd/ca';
export const CA_NAMES: readonly CaName[] = ['ca', 'front-proxy-ca', 'etcd/ca'];
export const CA_COMMON_NAMES: Record<CaName, string> = { ca: 'kubernetes', 'front-proxy-ca': 'front-proxy-ca', 'etcd/ca': 'etcd-ca' };

/** The name every master answers to through /etc/hosts (and every node through the VIP). */
export const APISERVER_DOMAIN = 'apiserver.cluster.local';
export const APISERVER_PORT = 6443;

export interface LeafSpec {
  /** kubeadm's name: "apiserver", "etcd/server". */
  name: string;
  /** Path relative to the pki dir, without .crt/.key. */
  path: string;
  signer: CaName;
  request: CertificateRequest;
}

export interface KubeconfigSpec {
  /** "admin.conf", "kubelet.conf". */
  name: string;
  /** Path relative to the pki dir. */
  path: string;
  /** The kubeconfig user; the context is `<user>@kubernetes`. */
  user: string;
  commonName: string;
  organizations: string[];
  server: string;
}

export interface PkiPlan {
  leaves: LeafSpec[];
  kubeconfigs: KubeconfigSpec[];
  caValidityDays: number;
  /** Master IPs and node IPs that have their own folder (for pruning removed hosts). */
  masterIps: string[];
  nodeIps: string[];
}

const CLUSTER_ADMINS = 'kubeadm:cluster-admins';
const SYSTEM_MASTERS = 'system:masters';

export function masterDir(ip: string): string {
  return `masters/${ip}`;
}

export function nodeDir(ip: string): string {
  return `nodes/${ip}`;
}

/** Everything the cluster needs, per kubeadm, with sealts' extra apiserver names. */
export function planPki(cluster: Cluster, masters: HostIdentity[], nodes: HostIdentity[]): PkiPlan {
  if (masters.length === 0) throw new UserError(`${cluster.source ?? 'cluster'}: no master: the PKI needs at least one`);
  const pki = cluster.pki;
  if (!(pki.caValidityDays > 0) || !(pki.leafValidityDays > 0)) {
    throw new UserError('pki: caValidityDays and leafValidityDays must be positive');
  }
  const named = (hosts: HostIdentity[]) => hosts.map((h) => ({ ip: classifySans([h.ip], `host ${h.ip}`).ips[0]!, hostname: checkNodeName(h.hostname, h.ip) }));
  const ms = named(masters);
  const ns = named(nodes);
  requireUnique([...ms, ...ns].map((h) => h.ip), (ip) => `host ${ip} is listed twice`);
  requireUnique([...ms, ...ns].map((h) => h.hostname), (name) => `two hosts have the hostname ${name}: node names must be unique`);
  const userSans = classifySans(pki.certSANs, 'pki.certSANs');
  const vip = cluster.vip.address ? classifySans([cluster.vip.address], 'vip.address').ips : [];
  const serviceIp = firstServiceIp(cluster.network.serviceCIDR);
  const dnsDomain = cluster.network.dnsDomain;
  // k0s makes every leaf certificate itself from the CAs; sealts keeps only the admin kubeconfig,
  // in system:masters (kubeadm:cluster-admins is kubeadm's own binding, which k0s does not make).
  const k0s = cluster.runtime.type === 'k0s';
  const modern = !k0s && hasSuperAdmin(cluster.runtime.version);
  const admins = modern ? CLUSTER_ADMINS : SYSTEM_MASTERS;
  const leafDays = pki.leafValidityDays;
  const leaf = (commonName: string, organizations: string[], usages: CertificateRequest['usages'], sans = { dnsNames: [] as string[], ips: [] as string[] }): CertificateRequest => ({
    commonName,
    organizations,
    dnsNames: sans.dnsNames,
    ips: sans.ips,
    isCa: false,
    usages,
    validityDays: leafDays,
  });

  const leaves: LeafSpec[] = [
    { name: 'apiserver-kubelet-client', path: 'apiserver-kubelet-client', signer: 'ca', request: leaf('kube-apiserver-kubelet-client', kubeletClientGroups(cluster.runtime.version, admins), ['clientAuth']) },
    { name: 'front-proxy-client', path: 'front-proxy-client', signer: 'front-proxy-ca', request: leaf('front-proxy-client', [], ['clientAuth']) },
    { name: 'etcd/healthcheck-client', path: 'etcd/healthcheck-client', signer: 'etcd/ca', request: leaf('kube-etcd-healthcheck-client', [], ['clientAuth']) },
    { name: 'apiserver-etcd-client', path: 'apiserver-etcd-client', signer: 'etcd/ca', request: leaf('kube-apiserver-etcd-client', [], ['clientAuth']) },
  ];
  const kubeconfigs: KubeconfigSpec[] = [];
  const endpoint = serverUrl(APISERVER_DOMAIN, APISERVER_PORT);
  kubeconfigs.push({ name: 'admin.conf', path: 'admin.conf', user: 'kubernetes-admin', commonName: 'kubernetes-admin', organizations: [admins], server: endpoint });
  if (modern) {
    kubeconfigs.push({ name: 'super-admin.conf', path: 'super-admin.conf', user: 'kubernetes-super-admin', commonName: 'kubernetes-super-admin', organizations: [SYSTEM_MASTERS], server: endpoint });
  }

  if (k0s) return { leaves: [], kubeconfigs, caValidityDays: pki.caValidityDays, masterIps: ms.map((m) => m.ip), nodeIps: ns.map((n) => n.ip) };
  for (const m of ms) {
    // Each master's apiserver lists every master so any of them can stand behind the VIP or
    // apiserver.cluster.local; its own hostname and IP come first, as kubeadm puts them.
    const apiserverSans = classifySans(
      [
        m.hostname, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${dnsDomain}`,
        ...ms.map((x) => x.hostname), 'localhost', APISERVER_DOMAIN,
        serviceIp, m.ip, '127.0.0.1', ...ms.map((x) => x.ip), ...vip,
        ...userSans.dnsNames, ...userSans.ips,
      ],
      'apiserver SANs',
    );
    const etcdSans = classifySans([m.hostname, 'localhost', m.ip, '127.0.0.1', '::1'], 'etcd SANs');
    const dir = masterDir(m.ip);
    leaves.push(
      { name: 'apiserver', path: `${dir}/apiserver`, signer: 'ca', request: leaf('kube-apiserver', [], ['serverAuth'], apiserverSans) },
      { name: 'etcd/server', path: `${dir}/etcd/server`, signer: 'etcd/ca', request: leaf(m.hostname, [], ['serverAuth', 'clientAuth'], etcdSans) },
      { name: 'etcd/peer', path: `${dir}/etcd/peer`, signer: 'etcd/ca', request: leaf(m.hostname, [], ['serverAuth', 'clientAuth'], etcdSans) },
    );
    const local = serverUrl(m.ip, APISERVER_PORT);
    kubeconfigs.push(
      { name: 'controller-manager.conf', path: `${dir}/controller-manager.conf`, user: 'system:kube-controller-manager', commonName: 'system:kube-controller-manager', organizations: [], server: local },
      { name: 'scheduler.conf', path: `${dir}/scheduler.conf`, user: 'system:kube-scheduler', commonName: 'system:kube-scheduler', organizations: [], server: local },
      kubeletConf(`${dir}/kubelet.conf`, m.hostname, endpoint),
    );
  }
  for (const n of ns) kubeconfigs.push(kubeletConf(`${nodeDir(n.ip)}/kubelet.conf`, n.hostname, endpoint));
  return { leaves, kubeconfigs, caValidityDays: pki.caValidityDays, masterIps: ms.map((m) => m.ip), nodeIps: ns.map((n) => n.ip) };
}

function kubeletConf(path: string, hostname: string, server: string): KubeconfigSpec {
  const user = `system:node:${hostname}`;
  return { name: 'kubelet.conf', path, user, commonName: user, organizations: ['system:nodes'], server };
}

export function caRequest(name: CaName, validityDays: number): CertificateRequest {
  const cn = CA_COMMON_NAMES[name];
  return { commonName: cn, organizations: [], dnsNames: [cn], ips: [], isCa: true, usages: [], validityDays };
}

export function clientRequest(spec: KubeconfigSpec, validityDays: number): CertificateRequest {
  return { commonName: spec.commonName, organizations: spec.organizations, dnsNames: [], ips: [], isCa: false, usages: ['clientAuth'], validityDays };
}

function requireUnique(values: string[], message: (dup: string) => string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new UserError(message(v));
    seen.add(v);
  }
}
