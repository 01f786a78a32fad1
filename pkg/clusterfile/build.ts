// From checked, defaulted plain data to the typed Cluster, with the checks that span fields:
// host lists, duplicate addresses, roles, credentials, CIDRs and the VIP. Every problem is
// recorded at the node it is about (or the nearest written ancestor when the value is a default).
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { isNode, isScalar, type Document, type Node } from 'yaml';
import { UserError } from '../errors/errors.js';
import type { Secret } from '../secret/secret.js';
import { expandHome } from '../ssh/auth.js';
import { DEFAULT_VERSIONS } from './fields.js';
import { cidrContains, cidrsOverlap, documentationNet, expandHostPorts, parseCidr, type Cidr } from './ips.js';
import type { Problems } from './problems.js';
import type { BastionConfig, Cluster, HostSpec, KeyAlgorithm, NetworkPlugin, OverrideDoc, Role, RuntimeType, SshConfig, VipMode } from './types.js';

type Plain = Record<string, unknown>;
type Key = string | number;

export interface BuildContext {
  doc: Document;
  problems: Problems;
  file: string;
  /** Where relative paths in the file are resolved from. */
  baseDir: string;
  /** Whether an ssh-agent can stand in for a password or key (SSH_AUTH_SOCK is set). */
  agent: boolean;
}

/** The node at `keys` in the document, or its nearest ancestor that is written. */
function nodeAt(doc: Document, keys: Key[]): Node | undefined {
  for (let n = keys.length; n >= 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    if (isNode(node)) return node;
  }
  return undefined;
}

/** The node at `keys` only if it is written in the file. */
function writtenAt(doc: Document, keys: Key[]): Node | undefined {
  const node = doc.getIn(keys, true);
  return isNode(node) ? node : undefined;
}

interface Listed {
  ip: string;
  role: Role;
  offset: number;
  /** `spec.hosts[g].ips[i]`, for messages. */
  where: string;
}

/** An override document and where its `kind` is written. */
export interface PlacedOverride {
  override: OverrideDoc;
  at: Node | undefined;
  /** Its YAML document, to point at a field of it. */
  doc?: Document;
}

export function buildCluster(data: Plain, placed: PlacedOverride[], ctx: BuildContext): Cluster | undefined {
  const { doc, problems, baseDir } = ctx;
  const spec = (data.spec ?? {}) as Plain;
  const metadata = (data.metadata ?? {}) as Plain;
  const runtime = (spec.runtime ?? {}) as Plain;
  const network = (spec.network ?? {}) as Plain;
  const vip = (spec.vip ?? {}) as Plain;
  const pki = (spec.pki ?? {}) as Plain;
  const clusterSsh = toSsh((spec.ssh ?? {}) as Plain, baseDir);
  const clusterEnv = (spec.env ?? {}) as Record<string, string>;

  const runtimeType = (runtime.type ?? 'kubeadm') as RuntimeType;
  const version = checkVersion(runtimeType, runtime.version as string | undefined, ctx);

  const groups = Array.isArray(spec.hosts) ? (spec.hosts as (Plain | undefined)[]) : [];
  const { hosts, seen } = buildHosts(groups, clusterSsh, clusterEnv, ctx);
  checkHasMaster(groups, ctx);
  if (clusterSsh.bastion) {
    const bastionKeys: Key[] = ['spec', 'ssh', 'bastion'];
    checkCredentials(clusterSsh.bastion, 'spec.ssh.bastion', nodeAt(doc, bastionKeys), [bastionKeys], ctx);
    checkBastionAddress(clusterSsh.bastion, bastionKeys, ctx);
  }
  checkNetwork(network, vip, seen, ctx);
  if (typeof pki.leafValidityDays === 'number' && typeof pki.caValidityDays === 'number' && pki.leafValidityDays > pki.caValidityDays) {
    problems.add(
      nodeAt(doc, ['spec', 'pki', 'leafValidityDays']),
      `spec.pki.leafValidityDays: ${pki.leafValidityDays} days outlives the CA (caValidityDays ${pki.caValidityDays})`,
    );
  }
  checkOverridesMatchRuntime(runtimeType, placed, ctx);
  if (runtimeType === 'k0s') checkK0sConfig(placed, network.plugin as NetworkPlugin, ctx);

  if (problems.count > 0) return undefined;
  return {
    name: metadata.name as string,
    image: path.resolve(baseDir, expandHome(spec.image as string)),
    runtime: { type: runtimeType, version: version! },
    ssh: clusterSsh,
    hosts,
    network: {
      podCIDR: network.podCIDR as string,
      serviceCIDR: network.serviceCIDR as string,
      dnsDomain: network.dnsDomain as string,
      plugin: network.plugin as NetworkPlugin,
    },
    vip: { address: vip.address as string, mode: vip.mode as VipMode },
    pki: {
      caValidityDays: pki.caValidityDays as number,
      leafValidityDays: pki.leafValidityDays as number,
      keyAlgorithm: pki.keyAlgorithm as KeyAlgorithm,
      certSANs: (pki.certSANs ?? []) as string[],
    },
    env: clusterEnv,
    overrides: placed.map((p) => p.override),
    source: ctx.file,
  };
}

/** Expand every group's addresses into hosts with the group's roles, SSH and env merged in. */
function buildHosts(
  groups: (Plain | undefined)[],
  clusterSsh: SshConfig,
  clusterEnv: Record<string, string>,
  ctx: BuildContext,
): { hosts: HostSpec[]; seen: Map<string, Listed> } {
  const { doc, problems } = ctx;
  const hosts: HostSpec[] = [];
  const seen = new Map<string, Listed>();
  groups.forEach((group, g) => {
    if (!group) return;
    const groupKeys: Key[] = ['spec', 'hosts', g];
    const roles = groupRoles(group, g, ctx);
    const ssh = mergeSsh(clusterSsh, toSsh((group.ssh ?? {}) as Plain, ctx.baseDir));
    const env = { ...clusterEnv, ...((group.env ?? {}) as Record<string, string>) };
    checkCredentials(ssh, `spec.hosts[${g}]`, nodeAt(doc, groupKeys), [['spec', 'ssh'], [...groupKeys, 'ssh']], ctx);
    if ((group.ssh as Plain | undefined)?.bastion && ssh.bastion) {
      const keys: Key[] = [...groupKeys, 'ssh', 'bastion'];
      checkCredentials(ssh.bastion, `spec.hosts[${g}].ssh.bastion`, nodeAt(doc, keys), [keys], ctx);
      checkBastionAddress(ssh.bastion, keys, ctx);
    }
    const role: Role = roles.includes('master') ? 'master' : 'node';
    const ips = Array.isArray(group.ips) ? (group.ips as (string | undefined)[]) : [];
    ips.forEach((entry, i) => {
      if (entry === undefined) return;
      const itemNode = nodeAt(doc, [...groupKeys, 'ips', i]);
      const where = `spec.hosts[${g}].ips[${i}]`;
      let expanded;
      try {
        expanded = expandHostPorts(entry);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        problems.add(itemNode, `${where}: ${e.message}`);
        return;
      }
      const example = expanded.find((hp) => documentationNet(hp.ip));
      if (example) problems.add(itemNode, `${where}: ${documentationAddress(example.ip)}: replace it with your hosts' addresses`);
      for (const hp of expanded) {
        const first = seen.get(hp.ip);
        if (first) {
          const clash = first.role !== role ? `; a host is either a master or a node, not both` : '';
          problems.add(itemNode, `${where}: ${hp.ip} is already listed at ${problems.where(first.offset)}${clash}`);
          continue;
        }
        seen.set(hp.ip, { ip: hp.ip, role, offset: itemNode?.range?.[0] ?? 0, where });
        hosts.push({ ip: hp.ip, roles, ssh: hp.port === undefined ? ssh : { ...ssh, port: hp.port }, env });
      }
    });
  });
  return { hosts, seen };
}

/** master or node, not both; sealer/sealos groups carry other roles too (amd64, labels) that do not count. */
function groupRoles(group: Plain, g: number, ctx: BuildContext): Role[] {
  const written = Array.isArray(group.roles) ? (group.roles as unknown[]) : [];
  const roles = [...new Set(written)].filter((r): r is Role => r === 'master' || r === 'node');
  const at = nodeAt(ctx.doc, ['spec', 'hosts', g, 'roles']);
  // An undefined entry is a role the field check already rejected.
  if (written.length > 0 && !written.includes(undefined) && roles.length === 0) {
    ctx.problems.add(at, `spec.hosts[${g}].roles: needs master or node`);
  }
  if (roles.includes('master') && roles.includes('node')) {
    ctx.problems.add(at, `spec.hosts[${g}].roles: a host is either a master or a node, not both`);
  }
  return roles;
}

/** Only when every group's roles were readable: a misspelt role is reported on its own. */
function checkHasMaster(groups: (Plain | undefined)[], ctx: BuildContext): void {
  const rolesReadable = groups.every((g) => Array.isArray(g?.roles) && (g.roles as unknown[]).every((r) => r !== undefined));
  const anyMaster = groups.some((g) => Array.isArray(g?.roles) && (g.roles as unknown[]).includes('master'));
  if (groups.length > 0 && rolesReadable && !anyMaster) {
    ctx.problems.add(nodeAt(ctx.doc, ['spec', 'hosts']), 'spec.hosts: no master: at least one group needs roles: [master]');
  }
}

/**
 * RFC 5737's ranges are for documentation: the real-machine examples in clusterfiles/ use them as
 * placeholders, and no host is reached there, so they are refused before anything connects.
 */
function documentationAddress(ip: string): string {
  return `${ip} is a documentation address (RFC 5737, ${documentationNet(ip)}), a placeholder in the examples`;
}

function checkBastionAddress(bastion: BastionConfig, keys: Key[], ctx: BuildContext): void {
  if (!isIPv4(bastion.host) || !documentationNet(bastion.host)) return;
  const where = keys.join('.').replace(/\.(\d+)\./g, '[$1].');
  ctx.problems.add(nodeAt(ctx.doc, [...keys, 'host']), `${where}.host: ${documentationAddress(bastion.host)}: replace it with your bastion's address`);
}

/** Relative paths in a Clusterfile are relative to the file; `~/...` is left for the SSH engine. */
function keyPath(pk: unknown, baseDir: string): string | undefined {
  if (typeof pk !== 'string') return undefined;
  return pk.startsWith('~') ? pk : path.resolve(baseDir, pk);
}

function toSsh(p: Plain, baseDir: string): SshConfig {
  const out: Partial<SshConfig> = {};
  for (const k of ['user', 'port', 'passwd', 'pk', 'pkPasswd', 'sudoPasswd'] as const) {
    if (p[k] !== undefined) (out as Plain)[k] = k === 'pk' ? keyPath(p[k], baseDir) : p[k];
  }
  if (p.bastion) {
    const b = p.bastion as BastionConfig;
    out.bastion = b.pk === undefined ? b : { ...b, pk: keyPath(b.pk, baseDir)! };
  }
  return out as SshConfig;
}

/** A group's SSH fields override the cluster's one by one. */
function mergeSsh(cluster: SshConfig, group: SshConfig): SshConfig {
  return { ...cluster, ...group };
}

const CREDENTIAL_FIELDS = ['passwd', 'passwdFromEnv', 'pk'];

/**
 * A host (or the bastion) needs a password, a key, or an ssh-agent (SSH_AUTH_SOCK). A credential
 * written but rejected (e.g. passwdFromEnv naming an unset variable) was reported already.
 */
function checkCredentials(
  ssh: { passwd?: Secret; pk?: string },
  where: string,
  at: Node | undefined,
  sshPaths: Key[][],
  ctx: BuildContext,
): void {
  if (ssh.passwd || ssh.pk || ctx.agent) return;
  if (sshPaths.some((p) => CREDENTIAL_FIELDS.some((f) => writtenAt(ctx.doc, [...p, f])))) return;
  const scope = where.endsWith('.bastion') ? where : 'spec.ssh';
  ctx.problems.add(at, `${where}: no SSH credentials: set ${scope}.pk or ${scope}.passwd (or run an ssh-agent: SSH_AUTH_SOCK)`);
}

function checkVersion(type: RuntimeType, version: string | undefined, ctx: BuildContext): string | undefined {
  if (version === undefined) {
    // Absent (default) or already reported as malformed by the field check.
    return writtenAt(ctx.doc, ['spec', 'runtime', 'version']) ? undefined : DEFAULT_VERSIONS[type];
  }
  // sealer/sealos documents have no spec.runtime: their version comes from the image tag.
  const written = writtenAt(ctx.doc, ['spec', 'runtime', 'version']);
  const [at, label] = written ? [written, 'spec.runtime.version'] : [nodeAt(ctx.doc, ['spec', 'image']), 'spec.image'];
  const [major, minor] = version.slice(1).split('.').map(Number) as [number, number];
  if (type === 'kubeadm' && version.includes('+')) {
    ctx.problems.add(at, `${label}: "${version}" is a k0s version; kubeadm takes vMAJOR.MINOR.PATCH`);
  } else if (type === 'k0s' && !version.includes('+k0s.')) {
    ctx.problems.add(at, `${label}: "${version}" is a Kubernetes version; k0s takes its release, vMAJOR.MINOR.PATCH+k0s.N (e.g. ${version}+k0s.0)`);
  } else if (major !== 1 || minor < 22) {
    ctx.problems.add(at, `${label}: Kubernetes ${version} is not supported: sealts deploys v1.22 and later`);
  }
  return version;
}

function cidrOf(network: Plain, field: 'podCIDR' | 'serviceCIDR', ctx: BuildContext): Cidr | undefined {
  if (typeof network[field] !== 'string') return undefined;
  try {
    return parseCidr(network[field]);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    ctx.problems.add(nodeAt(ctx.doc, ['spec', 'network', field]), `spec.network.${field}: ${e.message}`);
    return undefined;
  }
}

function checkNetwork(network: Plain, vip: Plain, hosts: Map<string, Listed>, ctx: BuildContext): void {
  const { doc, problems } = ctx;
  const pod = cidrOf(network, 'podCIDR', ctx);
  const svc = cidrOf(network, 'serviceCIDR', ctx);
  if (pod && svc && cidrsOverlap(pod, svc)) {
    const at = writtenAt(doc, ['spec', 'network', 'serviceCIDR']) ?? nodeAt(doc, ['spec', 'network', 'podCIDR']);
    problems.add(at, `spec.network: serviceCIDR ${svc.text} overlaps podCIDR ${pod.text}`);
  }
  const cidrs = [
    { name: 'podCIDR', cidr: pod },
    { name: 'serviceCIDR', cidr: svc },
  ];
  const address = typeof vip.address === 'string' ? vip.address : undefined;
  for (const { name, cidr } of cidrs) {
    if (!cidr) continue;
    if (address && cidrContains(cidr, address)) {
      const at = writtenAt(doc, ['spec', 'vip', 'address']) ?? nodeAt(doc, ['spec', 'network', name]);
      problems.add(at, `spec.vip.address: ${address} is inside ${name} ${cidr.text}; choose an address outside the pod and service CIDRs`);
    }
    for (const h of hosts.values()) {
      if (cidrContains(cidr, h.ip)) problems.add(h.offset, `${h.where}: ${h.ip} is inside ${name} ${cidr.text}; the cluster CIDRs must not contain host addresses`);
    }
  }
  if (address && hosts.has(address)) {
    const at = writtenAt(doc, ['spec', 'vip', 'address']) ?? hosts.get(address)!.offset;
    problems.add(at, `spec.vip.address: ${address} is a host address; the VIP must be an unused address`);
  }
}

/**
 * What a ClusterConfig may not set: the fields sealts sets per controller (one document serves
 * every controller, so a written address would give them all the same one) and the network the
 * Cluster document owns (sealts routes pods and makes certificates from it).
 */
const K0S_OWNED: ReadonlyArray<{ keys: Key[]; why: string }> = [
  { keys: ['spec', 'api', 'address'], why: 'sealts sets each controller its own address' },
  { keys: ['spec', 'storage', 'etcd', 'peerAddress'], why: 'sealts sets each controller its own peer address' },
  { keys: ['spec', 'network', 'podCIDR'], why: 'set spec.network.podCIDR of the Cluster document' },
  { keys: ['spec', 'network', 'serviceCIDR'], why: 'set spec.network.serviceCIDR of the Cluster document' },
  { keys: ['spec', 'network', 'clusterDomain'], why: 'set spec.network.dnsDomain of the Cluster document' },
];

function checkK0sConfig(placed: PlacedOverride[], plugin: NetworkPlugin, ctx: BuildContext): void {
  for (const { override: o, doc } of placed) {
    if (o.kind !== 'ClusterConfig' || !doc) continue;
    for (const { keys, why } of K0S_OWNED) {
      const at = writtenAt(doc, keys);
      if (at) ctx.problems.add(at, `ClusterConfig.${keys.join('.')}: not settable here: ${why}`);
    }
    const provider = writtenAt(doc, ['spec', 'network', 'provider']);
    const value = isScalar(provider) ? provider.value : undefined;
    if (provider && value !== 'custom' && plugin === 'sealts-bridge') {
      ctx.problems.add(provider, `ClusterConfig.spec.network.provider: ${String(value)} would run beside sealts-bridge (spec.network.plugin); set the Cluster's spec.network.plugin to none to let k0s run ${String(value)}`);
    }
  }
}

/** Documents for one runtime are a mistake in a file that deploys the other. */
function checkOverridesMatchRuntime(type: RuntimeType, placed: PlacedOverride[], ctx: BuildContext): void {
  for (const { override: o, at } of placed) {
    const forK0s = o.apiVersion.startsWith('k0s.');
    if (forK0s !== (type === 'k0s')) {
      ctx.problems.add(at, `${o.kind} (${o.apiVersion}) is a ${forK0s ? 'k0s' : 'kubeadm'} document but spec.runtime.type is ${type}`);
    }
  }
}
