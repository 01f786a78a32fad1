// Host facts, gathered on every run (never trusted from local state): who the host is, what it can
// do, and which sealts rootfs it has. Whether it belongs to a cluster, and as what, is the
// runtime's to read (its query, Runtime.memberFacts); the workflow gathers both in one command per
// host (gatherFactsWith), with the files sealts keeps outside the rootfs (Tracked).
import { HostError } from '../errors/errors.js';
import { literal, sh, type ShellCommand } from '../shell/quote.js';
import type { ExecResult, HostExec } from './exec.js';
import { parseListeningPorts } from './ports.js';

export interface HostFacts {
  hostname: string;
  machineId: string;
  /** Debian/Go arch name (amd64, arm64) from `uname -m`. */
  arch: string;
  ipvs: boolean;
  /** ipvsadm is on the PATH (sealts' IPVS checker drives it). */
  ipvsadm: boolean;
  /** The manifest of the sealts rootfs pushed here (its JSON text), when there is one. */
  rootfsManifest?: string;
  swapDevices: number;
  /** Host clock, seconds since the epoch, and the local clock when it was read. */
  clock: number;
  readAt: number;
  /** TCP ports something already listens on (`ss -Htln`). */
  listeningPorts: number[];
  /** 2 when /sys/fs/cgroup is the unified hierarchy, else 1 (v1 or hybrid). kubelet 1.35+ refuses v1 unless told. */
  cgroupVersion: 1 | 2;
  /** CAP_SYS_RESOURCE is in the bounding set: without it nothing may lower oom_score_adj (runc fails). */
  capSysResource: boolean;
  /** nameserver lines of /etc/resolv.conf. */
  nameservers: string[];
  /** systemd-resolved's upstream file exists with a non-loopback nameserver. */
  resolvedUpstream: boolean;
  /**
   * net.netfilter.nf_conntrack_max can be set here (it is global to the kernel: a container or a
   * network namespace other than the first cannot), as kube-proxy does at start unless told not to.
   */
  conntrackMaxSettable: boolean;
  /** `zstd` runs here: the rootfs payload travels zstd-compressed to it, else gzip. */
  zstd: boolean;
  /** `python3` is on the PATH: the host can serve or fetch the rootfs over the relay (pkg/rootfs/relay.ts). */
  python3: boolean;
  /** sha256 of each tracked file sealts wrote outside the rootfs that is there (see Tracked). */
  fileSums: Record<string, string>;
  /** The tracked systemd units that are active. */
  activeUnits: string[];
  /** The lines of /etc/hosts sealts owns (ending in HOSTS_MARK), as they are. */
  hostsEntries: string[];
}

/** What ends each /etc/hosts line sealts owns (pkg/vip/hosts-file.ts writes them). */
export const HOSTS_MARK = '# sealts';

/**
 * Files and units sealts keeps on a host outside the rootfs (the VIP's script and unit), read with
 * the facts so a phase can tell from them that a host is already as it would make it, and leave it
 * alone: a re-apply with nothing to do costs no command of its own.
 */
export interface Tracked {
  files: readonly string[];
  units: readonly string[];
}

// Each section of the facts' output starts with one of these lines.
const SECTION = { files: '--- sha256sum', units: '--- systemctl is-active', hosts: '--- hosts', facts: '--- facts', ss: '--- ss -Htln' } as const;

// One sha256sum and one systemctl for all tracked files and units, their output read on the client:
// each process is ~1.3 ms of a host's CPU (more on a busy one), and 43 hosts share two cores here.
function trackCommand(t: Tracked): ShellCommand {
  for (const u of t.units) if (!/^[A-Za-z0-9@._-]+$/.test(u)) throw new Error(`gatherFacts: not a unit name: ${JSON.stringify(u)}`);
  return literal(
    [
      `echo '${SECTION.files}'`,
      ...(t.files.length ? [`${sh(['sha256sum', '--', ...t.files])} 2>/dev/null`] : []),
      `echo '${SECTION.units}'`,
      ...(t.units.length ? [`${sh(['systemctl', 'is-active', ...t.units])} 2>/dev/null`] : []),
      `echo '${SECTION.hosts}'`,
      // The shell's own read: no grep, and no subshell for a pipe.
      `while IFS= read -r l || [ -n "$l" ]; do case $l in *'${HOSTS_MARK}') printf '%s\\n' "$l" ;; esac; done 2>/dev/null < /etc/hosts`,
    ].join('; '),
  );
}

/** The tracked sections: sha256sum's lines ("SUM  PATH"), systemctl's states in the units' order, sealts' /etc/hosts lines. */
function parseTracked(sections: Map<string, string[]>, units: readonly string[]): Pick<HostFacts, 'fileSums' | 'activeUnits' | 'hostsEntries'> {
  const fileSums: Record<string, string> = {};
  for (const l of sections.get(SECTION.files) ?? []) {
    const file = /^([0-9a-f]{64}) [ *](\/.+)$/.exec(l);
    if (file) fileSums[file[2]!] = file[1]!;
  }
  const states = sections.get(SECTION.units) ?? [];
  // systemctl prints one state per unit asked, in order; anything else (no systemd) leaves none active.
  const activeUnits = states.length === units.length ? units.filter((_u, i) => states[i] === 'active') : [];
  return { fileSums, activeUnits, hostsEntries: sections.get(SECTION.hosts) ?? [] };
}

/** Split the output at the section lines (what precedes the first is dropped). */
function sectionsOf(text: string): Map<string, string[]> {
  const marks = new Set<string>(Object.values(SECTION));
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const l of text.split('\n')) {
    if (marks.has(l)) out.set(l, (current = []));
    else current?.push(l);
  }
  for (const lines of out.values()) while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return out;
}

/** Where sealts pushes the rootfs on every host (pkg/rootfs builds on this). */
export const ROOTFS_DIR = '/var/lib/sealts/rootfs';

/** Where systemd-resolved keeps the real upstream servers (the stub file names 127.0.0.53). */
export const RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';

// A constant script: it reads facts and interpolates nothing from input. What the shell can read
// itself it reads with `read` (a builtin: no process); a process runs only for what only one can tell.
const GATHER = literal(
  [
    `echo '${SECTION.facts}'`,
    'v=; read -r v < /proc/sys/kernel/hostname; echo "hostname=$v"',
    'v=; read -r v 2>/dev/null < /etc/machine-id; echo "machineId=$v"',
    // /proc/sys/kernel/arch is Linux 6.1+; uname -m says the same on older kernels.
    'v=; read -r v 2>/dev/null < /proc/sys/kernel/arch || v=$(uname -m); echo "arch=$v"',
    // modprobe only where the module could be loaded: not built in, and a module tree for this kernel.
    'v=; read -r v < /proc/sys/kernel/osrelease',
    'if test -d /sys/module/ip_vs || { test -d "/lib/modules/$v" && modprobe -q ip_vs 2>/dev/null; }; then echo ipvs=1; else echo ipvs=0; fi',
    'if command -v ipvsadm >/dev/null 2>&1; then echo ipvsadm=1; fi',
    // zstd is run, not looked up: the codec must work here. python3 is only looked up (starting it
    // costs ~45 ms of CPU per host and run): a relay that fails on a host falls back to the client.
    'if zstd --version >/dev/null 2>&1; then echo zstd=1; fi',
    'if command -v python3 >/dev/null 2>&1; then echo python3=1; fi',
    // One line: the manifest is JSON, which a newline inside would only break for this parser.
    `m=${ROOTFS_DIR}/manifest.json; if test -f $m; then echo "rootfs=$(tr -d '\\n' 2>/dev/null < $m)"; fi`,
    'n=0; while read -r v; do n=$((n + 1)); done 2>/dev/null < /proc/swaps; [ $n -eq 0 ] || n=$((n - 1)); echo "swap=$n"',
    'echo "clock=${EPOCHSECONDS:-$(date +%s)}"',
    // The unified hierarchy has cgroup.controllers at its root; v1 and hybrid mounts do not.
    'if test -e /sys/fs/cgroup/cgroup.controllers; then echo cgroup=2; else echo cgroup=1; fi',
    'while read -r k v; do if [ "$k" = CapBnd: ]; then echo "capBnd=$v"; break; fi; done < /proc/self/status',
    'n=; while read -r k v r; do [ "$k" != nameserver ] || n="$n $v"; done 2>/dev/null < /etc/resolv.conf; echo "nameservers=$n"',
    `n=0; while read -r k v r; do [ "$k" != nameserver ] || case $v in 127.*) ;; *) n=1 ;; esac; done 2>/dev/null < ${RESOLVED_UPSTREAM}; echo "resolved=$n"`,
    // Writing the value it already has changes nothing, and is the only sure test (root passes access(2)).
    'f=/proc/sys/net/netfilter/nf_conntrack_max; v=; if read -r v 2>/dev/null < $f && { echo "$v" > $f; } 2>/dev/null; then echo ctmax=1; else echo ctmax=0; fi',
    // Last, so the script's exit code is ss's: the listening ports, after their section line.
    `echo '${SECTION.ss}'`,
    'ss -Htln',
  ].join('; '),
);

/** Bit 24 of the capability sets. */
const CAP_SYS_RESOURCE = 24n;

export function isLoopbackAddress(a: string): boolean {
  return a.startsWith('127.') || a === '::1' || a === '0.0.0.0';
}

/** `key=value` lines of a fact script (anything else is ignored), values trimmed. */
export function parseFactLines(text: string): Map<string, string> {
  return new Map(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
}

const ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

/** A read of a host in one command: what runs there, and how its output reads (a runtime's facts). */
export interface FactsQuery<T> {
  command: ShellCommand;
  parse(host: string, r: ExecResult): T;
}

/** Run a query alone. */
export async function runQuery<T>(h: HostExec, q: FactsQuery<T>): Promise<T> {
  return q.parse(h.host, await h.exec(q.command));
}

/** Printed after the query gatherFactsWith runs first, with its exit code. */
const QUERY_SEPARATOR = '--- query exit';

/**
 * The host's facts and a query's (the runtime's membership) in ONE command: a command's cost on a
 * host is mostly its SSH channel and shell, so one per host and run is what facts may cost. The
 * query runs first in a subshell (its own `exit` stays there), then a separator with its exit code.
 */
export async function gatherFactsWith<T>(h: HostExec, tracked: Tracked, q: FactsQuery<T>): Promise<{ host: HostFacts; query: T }> {
  const r = await h.exec(literal(`( ${q.command} ); echo "${QUERY_SEPARATOR} $?"; ${hostCommand(tracked)}`));
  const sep = new RegExp(`^${QUERY_SEPARATOR} (\\d+)\n`, 'm').exec(r.stdout);
  if (!sep) throw new HostError(h.host, 'gather facts', `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const query = q.parse(h.host, { code: Number(sep[1]), stdout: r.stdout.slice(0, sep.index), stderr: r.stderr });
  return { host: readHostFacts(h.host, tracked, { ...r, stdout: r.stdout.slice(sep.index + sep[0].length) }), query };
}

export async function gatherFacts(h: HostExec, tracked: Tracked = { files: [], units: [] }): Promise<HostFacts> {
  return readHostFacts(h.host, tracked, await h.exec(hostCommand(tracked)));
}

/** The tracked part, then GATHER: GATHER stays last, the command's exit code is ss's. */
function hostCommand(tracked: Tracked): ShellCommand {
  return literal(`${trackCommand(tracked)}; ${GATHER}`);
}

function readHostFacts(host: string, tracked: Tracked, r: ExecResult): HostFacts {
  const sections = sectionsOf(r.stdout);
  const ss = sections.get(SECTION.ss);
  if (r.code !== 0 || !ss) throw new HostError(host, 'gather facts', `${ss ? 'ss -Htln: ' : ''}exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const kv = parseFactLines((sections.get(SECTION.facts) ?? []).join('\n'));
  const hostname = (kv.get('hostname') ?? '').toLowerCase();
  if (!hostname) throw new HostError(host, 'gather facts', 'no hostname');
  const uname = kv.get('arch') ?? '';
  return {
    hostname,
    machineId: kv.get('machineId') ?? '',
    arch: ARCH[uname] ?? uname,
    ipvs: kv.get('ipvs') === '1',
    ipvsadm: kv.get('ipvsadm') === '1',
    rootfsManifest: kv.get('rootfs') || undefined,
    swapDevices: Number(kv.get('swap') ?? 0),
    clock: Number(kv.get('clock') ?? 0),
    readAt: Date.now() / 1000,
    listeningPorts: parseListeningPorts(ss.join('\n')),
    cgroupVersion: kv.get('cgroup') === '2' ? 2 : 1,
    capSysResource: /^[0-9a-f]+$/i.test(kv.get('capBnd') ?? '') ? ((BigInt(`0x${kv.get('capBnd')}`) >> CAP_SYS_RESOURCE) & 1n) === 1n : true,
    nameservers: (kv.get('nameservers') ?? '').split(/\s+/).filter(Boolean),
    resolvedUpstream: kv.get('resolved') === '1',
    conntrackMaxSettable: kv.get('ctmax') !== '0',
    zstd: kv.get('zstd') === '1',
    python3: kv.get('python3') === '1',
    ...parseTracked(sections, tracked.units),
  };
}
