// The typed, defaulted view of a Clusterfile that every other package reads.
// Produced only by pkg/clusterfile (parse -> validate -> defaults); consumers never see raw YAML.
import type { Secret } from '../secret/secret.js';
import type { LocalFile } from './local-files.js';

export type Role = 'master' | 'node';
export type RuntimeType = 'kubeadm' | 'k0s';
export type VipMode = 'auto' | 'ipvs' | 'iptables';
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256';

export interface BastionConfig {
  host: string;
  port: number;
  user: string;
  passwd?: Secret;
  pk?: string;
  pkPasswd?: Secret;
}

/** SSH settings, cluster-wide or per host group (a group's fields override the cluster's). */
export interface SshConfig {
  user: string;
  port: number;
  passwd?: Secret;
  /** Path to a private key file (~ expanded). */
  pk?: string;
  pkPasswd?: Secret;
  /** Password for `sudo` when `user` is not root and sudo asks for one. */
  sudoPasswd?: Secret;
  bastion?: BastionConfig;
}

/** One host: a Clusterfile `hosts[].ips` entry expanded, with its group's settings merged in. */
export interface HostSpec {
  ip: string;
  roles: Role[];
  ssh: SshConfig;
  env: Record<string, string>;
}

/** sealts-bridge: a bridge per host on the node's pod range, routes between hosts kept by sealts. */
export type NetworkPlugin = 'sealts-bridge' | 'none';

export interface NetworkSpec {
  podCIDR: string;
  serviceCIDR: string;
  dnsDomain: string;
  plugin: NetworkPlugin;
}

export interface VipSpec {
  address: string;
  mode: VipMode;
}

export interface PkiSpec {
  caValidityDays: number;
  leafValidityDays: number;
  keyAlgorithm: KeyAlgorithm;
  /** Extra names and IPs for the apiserver certificate. */
  certSANs: string[];
}

/** A non-Cluster document of the Clusterfile, kept verbatim for the runtime to merge. */
export interface OverrideDoc {
  apiVersion: string;
  kind: string;
  /** The parsed document as plain data. */
  body: Record<string, unknown>;
}

export interface Cluster {
  name: string;
  /** Rootfs image: a local directory or .tar.gz, resolved relative to the Clusterfile. */
  image: string;
  runtime: { type: RuntimeType; version: string };
  ssh: SshConfig;
  /** Every host, in Clusterfile order; the first master is master0. */
  hosts: HostSpec[];
  network: NetworkSpec;
  vip: VipSpec;
  pki: PkiSpec;
  env: Record<string, string>;
  overrides: OverrideDoc[];
  /** Where it came from (for error messages); undefined when built in code. */
  source?: string;
  /** Things the parser accepted but ignored (e.g. extra sealos images), for the CLI to show. */
  warnings?: string[];
  /** The local files the Clusterfile names, with their positions (checked before any host is contacted). */
  localFiles?: LocalFile[];
}

export function masters(c: Cluster): HostSpec[] {
  return c.hosts.filter((h) => h.roles.includes('master'));
}

export function nodes(c: Cluster): HostSpec[] {
  return c.hosts.filter((h) => h.roles.includes('node') && !h.roles.includes('master'));
}
