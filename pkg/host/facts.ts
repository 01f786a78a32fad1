// Host facts, gathered on every run (never trusted from local state): who the host is, what it can
// do, and which sealts rootfs it has. Whether it belongs to a cluster, and as what, is the
// runtime's to read (its query, Runtime.memberFacts); the workflow gathers both in one command per
// host (gatherFactsWith), with the files sealts keeps outside the rootfs (Tracked).
import { HostError } from '../errors/errors.js';
import { and, literal, sh, type ShellCommand } from '../shell/quote.js';
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

// "$1" the units (constant names, one word each), then the files: one line each ("file SHA256 PATH"
// for a file that is there, "unit STATE NAME"), then "hosts LINE" for each of sealts' /etc/hosts
// lines. One sha256sum and one systemctl for all of them: each process is ~1.3 ms of a host's CPU,
// and 43 hosts share two cores here.
const TRACK = literal(
  [
    'units=$1; shift',
    '[ $# -eq 0 ] || sha256sum -- "$@" 2>/dev/null | while read -r sum path; do printf "file %s %s\\n" "$sum" "$path"; done',
    '[ -z "$units" ] || { set -- $units; systemctl is-active "$@" 2>/dev/null | while read -r state; do printf "unit %s %s\\n" "$state" "$1"; shift; done; }',
    `grep -e "${HOSTS_MARK}\\$" /etc/hosts 2>/dev/null | while IFS= read -r line; do printf "hosts %s\\n" "$line"; done`,
    'true',
  ].join('\n'),
);

function trackCommand(t: Tracked): ShellCommand {
  for (const u of t.units) if (!/^[A-Za-z0-9@._-]+$/.test(u)) throw new Error(`gatherFacts: not a unit name: ${JSON.stringify(u)}`);
  return sh(['sh', '-c', TRACK, 'sh', t.units.join(' '), ...t.files]);
}

function parseTracked(text: string): Pick<HostFacts, 'fileSums' | 'activeUnits' | 'hostsEntries'> {
  const out: Pick<HostFacts, 'fileSums' | 'activeUnits' | 'hostsEntries'> = { fileSums: {}, activeUnits: [], hostsEntries: [] };
  for (const l of text.split('\n')) {
    const file = /^file ([0-9a-f]{64}) (\/.+)$/.exec(l);
    if (file) out.fileSums[file[2]!] = file[1]!;
    const unit = /^unit active (\S+)$/.exec(l);
    if (unit) out.activeUnits.push(unit[1]!);
    if (l.startsWith('hosts ')) out.hostsEntries.push(l.slice('hosts '.length));
  }
  return out;
}

/** Where sealts pushes the rootfs on every host (pkg/rootfs builds on this). */
export const ROOTFS_DIR = '/var/lib/sealts/rootfs';

/** Where systemd-resolved keeps the real upstream servers (the stub file names 127.0.0.53). */
export const RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';

/** Printed by GATHER between the facts and the `ss -Htln` output. */
const SS_SEPARATOR = '--- ss -Htln';

// A constant script: it reads facts and interpolates nothing from input.
const GATHER = literal(
  [
    'echo "hostname=$(hostname)"',
    'echo "machineId=$(cat /etc/machine-id 2>/dev/null)"',
    'echo "arch=$(uname -m)"',
    'if test -d /sys/module/ip_vs || modprobe -q ip_vs 2>/dev/null; then echo ipvs=1; else echo ipvs=0; fi',
    'if command -v ipvsadm >/dev/null 2>&1; then echo ipvsadm=1; fi',
    // zstd is run, not looked up: the codec must work here. python3 is only looked up (starting it
    // costs ~45 ms of CPU per host and run): a relay that fails on a host falls back to the client.
    'if zstd --version >/dev/null 2>&1; then echo zstd=1; fi',
    'if command -v python3 >/dev/null 2>&1; then echo python3=1; fi',
    // One line: the manifest is JSON, which a newline inside would only break for this parser.
    `echo "rootfs=$(tr -d '\\n' < ${ROOTFS_DIR}/manifest.json 2>/dev/null)"`,
    'echo "swap=$(tail -n +2 /proc/swaps 2>/dev/null | wc -l)"',
    'echo "clock=$(date +%s)"',
    'if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then echo cgroup=2; else echo cgroup=1; fi',
    'echo "capBnd=$(sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status)"',
    'echo "nameservers=$(sed -n "s/^nameserver[[:space:]]*//p" /etc/resolv.conf 2>/dev/null | tr "\n" " ")"',
    `if sed -n "s/^nameserver[[:space:]]*//p" ${RESOLVED_UPSTREAM} 2>/dev/null | grep -qv "^127[.]"; then echo resolved=1; else echo resolved=0; fi`,
    // Writing the value it already has changes nothing, and is the only sure test (root passes access(2)).
    'f=/proc/sys/net/netfilter/nf_conntrack_max; if v=$(cat $f 2>/dev/null) && (echo "$v" > $f) 2>/dev/null; then echo ctmax=1; else echo ctmax=0; fi',
    // Last, so the script's exit code is ss's: the listening ports, after a separator line.
    "echo '--- ss -Htln'", // SS_SEPARATOR
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
  const r = await h.exec(literal(`( ${q.command} ); echo "${QUERY_SEPARATOR} $?"; ${and(trackCommand(tracked), GATHER)}`));
  const sep = new RegExp(`^${QUERY_SEPARATOR} (\\d+)\n`, 'm').exec(r.stdout);
  if (!sep) throw new HostError(h.host, 'gather facts', `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const query = q.parse(h.host, { code: Number(sep[1]), stdout: r.stdout.slice(0, sep.index), stderr: r.stderr });
  return { host: readHostFacts(h.host, { ...r, stdout: r.stdout.slice(sep.index + sep[0].length) }), query };
}

export async function gatherFacts(h: HostExec, tracked: Tracked = { files: [], units: [] }): Promise<HostFacts> {
  // The tracked part first: GATHER must stay last, its exit code is ss's.
  return readHostFacts(h.host, await h.exec(and(trackCommand(tracked), GATHER)));
}

function readHostFacts(host: string, r: ExecResult): HostFacts {
  const cut = r.stdout.indexOf(`${SS_SEPARATOR}\n`);
  if (r.code !== 0 || cut < 0) throw new HostError(host, 'gather facts', `${cut < 0 ? '' : 'ss -Htln: '}exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const ss = r.stdout.slice(cut + SS_SEPARATOR.length + 1);
  const kv = parseFactLines(r.stdout.slice(0, cut));
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
    listeningPorts: parseListeningPorts(ss),
    cgroupVersion: kv.get('cgroup') === '2' ? 2 : 1,
    capSysResource: /^[0-9a-f]+$/i.test(kv.get('capBnd') ?? '') ? ((BigInt(`0x${kv.get('capBnd')}`) >> CAP_SYS_RESOURCE) & 1n) === 1n : true,
    nameservers: (kv.get('nameservers') ?? '').split(/\s+/).filter(Boolean),
    resolvedUpstream: kv.get('resolved') === '1',
    conntrackMaxSettable: kv.get('ctmax') !== '0',
    zstd: kv.get('zstd') === '1',
    python3: kv.get('python3') === '1',
    ...parseTracked(r.stdout.slice(0, cut)),
  };
}
