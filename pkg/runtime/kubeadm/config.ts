// Renders the kubeadm configuration documents for one host, per the Kubernetes version's config API,
// then merges the Clusterfile's override documents in (the user wins). Output is YAML text made by the
// yaml library; nothing here touches a host.
import { stringify } from 'yaml';
import type { Cluster, HostSpec, KeyAlgorithm } from '../../clusterfile/types.js';
import { masters } from '../../clusterfile/types.js';
import type { Secret } from '../../secret/secret.js';
import { UserError } from '../../errors/errors.js';
import { deepMerge, isPlainObject, type Plain } from '../merge.js';
import { EXTRA_ARGS_KEYS, readExtraArgs, writeExtraArgs, type ArgMap } from './extra-args.js';
import type { HostSettings } from '../host-settings.js';
import { kubeadmApiVersion, parseKubeVersion, type KubeadmApiVersion } from './version.js';

export const API_SERVER_HOST = 'apiserver.cluster.local';
export const API_SERVER_PORT = 6443;
export const CONTROL_PLANE_ENDPOINT = `${API_SERVER_HOST}:${API_SERVER_PORT}`;
export const CERTIFICATES_DIR = '/etc/kubernetes/pki';
export const DEFAULT_CRI_SOCKET = 'unix:///run/containerd/containerd.sock';
const KUBELET_API = 'kubelet.config.k8s.io/v1beta1';
const KUBE_PROXY_API = 'kubeproxy.config.k8s.io/v1alpha1';

/** The kube-proxy mode follows the VIP mode actually chosen for the cluster (auto already resolved). */
export type ProxyMode = 'ipvs' | 'iptables';

export interface KubeadmInput {
  cluster: Cluster;
  /** The host this configuration is for. */
  host: HostSpec;
  /** Its node name (the gathered hostname, lower-cased as kubeadm does). */
  nodeName: string;
  proxyMode: ProxyMode;
  criSocket?: string;
  /** Bootstrap token `id.secret`; omitted from the init config when absent (e.g. for `plan`). */
  token?: Secret;
  /** Control-plane certificate key (64 hex) for upload-certs / control-plane joins. */
  certificateKey?: Secret;
  /** `sha256:<hex>` pin of the cluster CA, for joins. */
  caCertHash?: string;
  /** What this host's facts decided (cgroup v1, resolv.conf); absent when no facts are known (plan). */
  settings?: HostSettings;
  /** The rootfs carries every image: nothing is pulled, and CoreDNS runs the tag built. */
  localImages?: LocalImages;
  /** Some host cannot set nf_conntrack_max (a namespace or container host): kube-proxy must not try. */
  conntrackMaxFixed?: boolean;
}

export interface LocalImages {
  corednsTag: string;
}

/** Per-host kubelet settings go in as a kubeadm patch (the KubeletConfiguration is cluster-wide). */
export const PATCHES_DIR = '/etc/sealts/patches';
export const KUBELET_PATCH = `${PATCHES_DIR}/kubeletconfiguration+merge.yaml`;

/** The kubelet patch this host needs, or undefined when the defaults are right for it. */
export function kubeletPatch(settings: HostSettings | undefined): Plain | undefined {
  if (!settings) return undefined;
  const patch: Plain = {};
  if (settings.cgroupV1) patch.failCgroupV1 = false;
  if (settings.resolvConf) patch.resolvConf = settings.resolvConf;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Every name and address the apiserver certificate must carry (shared with pkg/pki). */
export function apiServerCertSANs(cluster: Cluster): string[] {
  const all = ['127.0.0.1', API_SERVER_HOST, cluster.vip.address, ...masters(cluster).map((m) => m.ip), ...cluster.pki.certSANs];
  return [...new Set(all)];
}

function apiOf(cluster: Cluster): { api: KubeadmApiVersion; version: string } {
  const v = parseKubeVersion(cluster.runtime.version);
  return { api: kubeadmApiVersion(v), version: v.text };
}

function nodeRegistration(input: KubeadmInput): Plain {
  const doc: Plain = {
    name: input.nodeName,
    criSocket: input.criSocket ?? DEFAULT_CRI_SOCKET,
    // The kubelet's node IP must be the Clusterfile address, not whichever NIC comes first.
    kubeletExtraArgs: { 'node-ip': input.host.ip } satisfies ArgMap,
  };
  // No registry is assumed: the rootfs imported every image under the name kubeadm asks for.
  if (input.localImages) doc.imagePullPolicy = 'Never';
  // kubeadm's SystemVerification fails on cgroup v1 even with the kubelet told to accept it.
  if (input.settings?.cgroupV1) doc.ignorePreflightErrors = ['SystemVerification'];
  return doc;
}

function withPatches(doc: Plain, input: KubeadmInput): Plain {
  return kubeletPatch(input.settings) ? { ...doc, patches: { directory: PATCHES_DIR } } : doc;
}

function localAPIEndpoint(host: HostSpec): Plain {
  return { advertiseAddress: host.ip, bindPort: API_SERVER_PORT };
}

function initConfiguration(input: KubeadmInput, api: KubeadmApiVersion): Plain {
  const doc: Plain = {
    apiVersion: api,
    kind: 'InitConfiguration',
    localAPIEndpoint: localAPIEndpoint(input.host),
    nodeRegistration: nodeRegistration(input),
  };
  if (input.token) {
    doc.bootstrapTokens = [
      {
        token: input.token.reveal(),
        // Short-lived on purpose: sealts deletes it after the joins anyway.
        ttl: '1h0m0s',
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ];
  }
  if (input.certificateKey) doc.certificateKey = input.certificateKey.reveal();
  return withPatches(doc, input);
}

const ENCRYPTION: Record<KeyAlgorithm, string> = {
  'RSA-2048': 'RSA-2048',
  'RSA-3072': 'RSA-3072',
  'RSA-4096': 'RSA-4096',
  'ECDSA-P256': 'ECDSA-P256',
};

function clusterConfiguration(cluster: Cluster, api: KubeadmApiVersion, version: string, localImages?: LocalImages): Plain {
  const doc: Plain = {
    apiVersion: api,
    kind: 'ClusterConfiguration',
    kubernetesVersion: version,
    controlPlaneEndpoint: CONTROL_PLANE_ENDPOINT,
    certificatesDir: CERTIFICATES_DIR,
    networking: {
      podSubnet: cluster.network.podCIDR,
      serviceSubnet: cluster.network.serviceCIDR,
      dnsDomain: cluster.network.dnsDomain,
    },
    apiServer: { certSANs: apiServerCertSANs(cluster) },
    // Listen beyond loopback so metrics scrapers on other hosts can reach them.
    controllerManager: { extraArgs: { 'bind-address': '0.0.0.0' } satisfies ArgMap },
    scheduler: { extraArgs: { 'bind-address': '0.0.0.0' } satisfies ArgMap },
    etcd: { local: { dataDir: '/var/lib/etcd' } },
  };
  // kubeadm names a CoreDNS tag the module proxy does not serve; the rootfs carries the one built.
  if (localImages) doc.dns = { imageTag: localImages.corednsTag };
  // Only v1beta4 knows the key algorithm; on v1beta3 kubeadm always uses RSA-2048.
  if (api === 'kubeadm.k8s.io/v1beta4') doc.encryptionAlgorithm = ENCRYPTION[cluster.pki.keyAlgorithm];
  return doc;
}

function kubeletConfiguration(): Plain {
  return { apiVersion: KUBELET_API, kind: 'KubeletConfiguration', cgroupDriver: 'systemd' };
}

function kubeProxyConfiguration(cluster: Cluster, mode: ProxyMode, conntrackMaxFixed?: boolean): Plain {
  const doc: Plain = { apiVersion: KUBE_PROXY_API, kind: 'KubeProxyConfiguration', mode };
  // kube-proxy exits when it cannot raise the kernel-wide conntrack limit; 0 leaves it as it is.
  if (conntrackMaxFixed) doc.conntrack = { maxPerCore: 0 };
  // kube-proxy in ipvs mode would otherwise flush the VIP's virtual server on every sync.
  if (mode === 'ipvs') doc.ipvs = { excludeCIDRs: [`${cluster.vip.address}/32`] };
  return doc;
}

function joinConfiguration(input: KubeadmInput, api: KubeadmApiVersion, controlPlane: boolean): Plain {
  if (!input.token || !input.caCertHash) throw new Error('joinConfiguration: token and caCertHash are required');
  const doc: Plain = {
    apiVersion: api,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: CONTROL_PLANE_ENDPOINT,
        token: input.token.reveal(),
        caCertHashes: [input.caCertHash],
      },
    },
    nodeRegistration: nodeRegistration(input),
  };
  if (controlPlane) {
    if (!input.certificateKey) throw new Error('joinConfiguration: a control-plane join needs certificateKey');
    doc.controlPlane = { localAPIEndpoint: localAPIEndpoint(input.host), certificateKey: input.certificateKey.reveal() };
  }
  return withPatches(doc, input);
}

/** Overrides apply to the document of the same kind; extraArgs tables merge per name. */
function applyOverrides(doc: Plain, cluster: Cluster): Plain {
  let out = doc;
  for (const o of cluster.overrides) {
    if (o.kind !== doc.kind) continue;
    const { apiVersion: _a, kind: _k, ...body } = o.body;
    out = deepMerge(out, body, (key, ours, theirs) => {
      if (!EXTRA_ARGS_KEYS.has(key)) return undefined;
      const t = readExtraArgs(theirs);
      if (!t) throw new UserError(`${cluster.source ?? 'Clusterfile'}: ${o.kind}.${key}: expected a map or a list of {name, value}`);
      return { ...(readExtraArgs(ours) ?? {}), ...t };
    });
  }
  return out;
}

const KNOWN_KINDS = new Set(['InitConfiguration', 'ClusterConfiguration', 'JoinConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration']);

/** An override of a kind sealts does not render would silently do nothing: refuse it instead. */
export function checkOverrides(cluster: Cluster): void {
  for (const o of cluster.overrides) {
    if (!KNOWN_KINDS.has(o.kind)) {
      throw new UserError(
        `${cluster.source ?? 'Clusterfile'}: override document kind ${JSON.stringify(o.kind)} is not one the kubeadm runtime renders (${[...KNOWN_KINDS].join(', ')})`,
      );
    }
  }
}

/** extraArgs are kept as maps while building and merging; write them in the target API's form. */
function finishExtraArgs(v: unknown, api: KubeadmApiVersion): unknown {
  if (Array.isArray(v)) return v.map((x) => finishExtraArgs(x, api));
  if (!isPlainObject(v)) return v;
  const isKubeadm = typeof v.apiVersion === 'string' ? v.apiVersion.startsWith('kubeadm.k8s.io/') : true;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => {
      if (isKubeadm && EXTRA_ARGS_KEYS.has(k)) {
        const m = readExtraArgs(x);
        return [k, m ? writeExtraArgs(m, api) : x];
      }
      return [k, finishExtraArgs(x, api)];
    }),
  );
}

function finish(docs: Plain[], cluster: Cluster, api: KubeadmApiVersion): Plain[] {
  checkOverrides(cluster);
  return docs.map((d) => finishExtraArgs(applyOverrides(d, cluster), api) as Plain);
}

/** The documents `kubeadm init --config` reads on master0. */
export function initDocuments(input: KubeadmInput): Plain[] {
  const { api, version } = apiOf(input.cluster);
  return finish(
    [
      initConfiguration(input, api),
      clusterConfiguration(input.cluster, api, version, input.localImages),
      kubeletConfiguration(),
      kubeProxyConfiguration(input.cluster, input.proxyMode, input.conntrackMaxFixed),
    ],
    input.cluster,
    api,
  );
}

/** The document `kubeadm join --config` reads on a joining master or node. */
export function joinDocuments(input: KubeadmInput, controlPlane: boolean): Plain[] {
  const { api } = apiOf(input.cluster);
  return finish([joinConfiguration(input, api, controlPlane)], input.cluster, api);
}

/** Multi-document YAML, one `---` between documents. */
export function toYaml(docs: Plain[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
