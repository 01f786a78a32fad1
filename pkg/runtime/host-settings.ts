// What a host's facts decide about how Kubernetes must run there, in one place, so the kubeadm
// documents, containerd's config and the messages of plan/apply say the same thing:
// - cgroup v1: kubelet 1.35+ refuses it unless `failCgroupV1: false`, and kubeadm's SystemVerification
//   preflight then fails until it is skipped; on a cgroup v2 host neither is touched.
// - no CAP_SYS_RESOURCE in the bounding set: nothing may lower oom_score_adj, so runc fails every
//   sandbox the CRI asks for at -998; containerd's `restrict_oom_score_adj` caps the request instead.
// - a resolv.conf that names only loopback resolvers: CoreDNS would forward to itself and die in its
//   loop check; the kubelet gets a resolv.conf with a reachable server instead.
// - nf_conntrack_max not settable (kernel-wide; only the first network namespace may): kube-proxy
//   exits at start unless its config says to leave the limit (conntrack.maxPerCore: 0).
import type { HostSpec } from '../clusterfile/types.js';
import { isLoopbackAddress, RESOLVED_UPSTREAM, type HostFacts } from '../host/facts.js';
import type { PutFile } from '../host/put-files.js';

/** Files sealts renders for a host; init.sh installs them (and clean.sh removes them). */
export const HOST_INPUT_DIR = '/etc/sealts/host';
export const CONTAINERD_INPUT = `${HOST_INPUT_DIR}/containerd.toml`;
export const SEALTS_RESOLV_CONF = `${HOST_INPUT_DIR}/resolv.conf`;

export interface HostSettings {
  cgroupV1: boolean;
  restrictOomScoreAdj: boolean;
  /** The kubelet's resolvConf when /etc/resolv.conf will not do. */
  resolvConf?: string;
  /** The content of SEALTS_RESOLV_CONF when resolvConf is that file. */
  resolvConfContent?: string;
  /** nf_conntrack_max cannot be set here: kube-proxy (configured for the whole cluster) leaves it. */
  conntrackMaxFixed: boolean;
  /** One line per decision that departs from the defaults, for plan and apply output. */
  notes: string[];
}

export function hostSettings(host: HostSpec, f: HostFacts): HostSettings {
  const notes: string[] = [];
  const cgroupV1 = f.cgroupVersion === 1;
  if (cgroupV1) notes.push('cgroup v1: kubelet failCgroupV1=false, kubeadm preflight SystemVerification skipped');
  const restrictOomScoreAdj = !f.capSysResource;
  if (restrictOomScoreAdj) notes.push('no CAP_SYS_RESOURCE: containerd restrict_oom_score_adj=true');
  let resolvConf: string | undefined;
  let resolvConfContent: string | undefined;
  if (!f.nameservers.some((n) => !isLoopbackAddress(n))) {
    if (f.resolvedUpstream) {
      resolvConf = RESOLVED_UPSTREAM;
      notes.push(`resolv.conf names only loopback resolvers: kubelet resolvConf=${RESOLVED_UPSTREAM} (systemd-resolved's upstream servers)`);
    } else {
      // No upstream server is known: the host's own address keeps CoreDNS' loop check quiet and
      // sends nothing off the host; names outside the cluster then do not resolve in pods.
      resolvConf = SEALTS_RESOLV_CONF;
      resolvConfContent = `# written by sealts: /etc/resolv.conf names only loopback resolvers (${f.nameservers.join(', ') || 'none'})\nnameserver ${host.ip}\n`;
      notes.push(`resolv.conf names only loopback resolvers and no upstream is known: kubelet resolvConf=${SEALTS_RESOLV_CONF} (nameserver ${host.ip}); pods resolve cluster names only`);
    }
  }
  const conntrackMaxFixed = !f.conntrackMaxSettable;
  if (conntrackMaxFixed) notes.push('nf_conntrack_max cannot be set (not the first network namespace): kube-proxy conntrack.maxPerCore=0 for the cluster');
  return { cgroupV1, restrictOomScoreAdj, resolvConf, resolvConfContent, conntrackMaxFixed, notes };
}

/** containerd 2.x config (version 3): CRI with runc under the systemd cgroup driver, CNI from /opt/cni. */
export function containerdConfig(s: HostSettings, sandboxImage: string): string {
  return [
    '# rendered by sealts for this host from its facts',
    'version = 3',
    "root = '/var/lib/containerd'",
    // The opt plugin would make /opt/containerd for plugins nobody installs.
    "disabled_plugins = ['io.containerd.internal.v1.opt']",
    "state = '/run/containerd'",
    '',
    '[grpc]',
    "  address = '/run/containerd/containerd.sock'",
    '',
    "[plugins.'io.containerd.cri.v1.runtime']",
    `  restrict_oom_score_adj = ${s.restrictOomScoreAdj}`,
    "  [plugins.'io.containerd.cri.v1.runtime'.containerd]",
    "    default_runtime_name = 'runc'",
    "    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
    "      runtime_type = 'io.containerd.runc.v2'",
    "      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
    "        BinaryName = '/usr/bin/runc'",
    '        SystemdCgroup = true',
    "  [plugins.'io.containerd.cri.v1.runtime'.cni]",
    "    bin_dirs = ['/opt/cni/bin']",
    "    conf_dir = '/etc/cni/net.d'",
    '',
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = '${sandboxImage}'`,
    '',
  ].join('\n');
}

/** The files init.sh needs from sealts on this host. */
export function hostInputFiles(s: HostSettings, sandboxImage: string): PutFile[] {
  const files: PutFile[] = [{ path: CONTAINERD_INPUT, content: containerdConfig(s, sandboxImage), mode: 0o644 }];
  if (s.resolvConfContent) files.push({ path: SEALTS_RESOLV_CONF, content: s.resolvConfContent, mode: 0o644 });
  return files;
}
