// Host facts, gathered on every run (never trusted from local state): who the host is, what it can
// do, and whether it already runs Kubernetes.
import { HostError } from '../../errors/errors.js';
import { literal } from '../../shell/quote.js';
import type { HostExec } from '../exec.js';
import { parseListeningPorts } from './ports.js';

export interface HostFacts {
  hostname: string;
  machineId: string;
  /** Debian/Go arch name (amd64, arm64) from `uname -m`. */
  arch: string;
  ipvs: boolean;
  /** /etc/kubernetes/kubelet.conf exists: the host was initialised or joined. */
  joined: boolean;
  /** A control-plane static pod manifest exists. */
  controlPlane: boolean;
  /** sha256 of the host's /etc/kubernetes/pki/ca.crt, when it has one. */
  caSha256?: string;
  swapDevices: number;
  /** Host clock, seconds since the epoch, and the local clock when it was read. */
  clock: number;
  readAt: number;
  /** TCP ports something already listens on (`ss -Htln`). */
  listeningPorts: number[];
}

/** Printed by GATHER between the facts and the `ss -Htln` output. */
const SS_SEPARATOR = '--- ss -Htln';

// A constant script: it reads facts and interpolates nothing from input.
const GATHER = literal(
  [
    'echo "hostname=$(hostname)"',
    'echo "machineId=$(cat /etc/machine-id 2>/dev/null)"',
    'echo "arch=$(uname -m)"',
    'if test -d /sys/module/ip_vs || modprobe -q ip_vs 2>/dev/null; then echo ipvs=1; else echo ipvs=0; fi',
    'if test -f /etc/kubernetes/kubelet.conf; then echo joined=1; else echo joined=0; fi',
    'if test -f /etc/kubernetes/manifests/kube-apiserver.yaml; then echo controlPlane=1; else echo controlPlane=0; fi',
    'echo "caSha256=$(sha256sum /etc/kubernetes/pki/ca.crt 2>/dev/null | cut -d" " -f1)"',
    'echo "swap=$(tail -n +2 /proc/swaps 2>/dev/null | wc -l)"',
    'echo "clock=$(date +%s)"',
    // Last, so the script's exit code is ss's: the listening ports, after a separator line.
    "echo '--- ss -Htln'", // SS_SEPARATOR
    'ss -Htln',
  ].join('; '),
);

const ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

export async function gatherFacts(h: HostExec): Promise<HostFacts> {
  const r = await h.exec(GATHER);
  const cut = r.stdout.indexOf(`${SS_SEPARATOR}\n`);
  if (r.code !== 0 || cut < 0) throw new HostError(h.host, 'gather facts', `${cut < 0 ? '' : 'ss -Htln: '}exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const ss = r.stdout.slice(cut + SS_SEPARATOR.length + 1);
  const kv = new Map(r.stdout.slice(0, cut).split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
  const hostname = (kv.get('hostname') ?? '').toLowerCase();
  if (!hostname) throw new HostError(h.host, 'gather facts', 'no hostname');
  const uname = kv.get('arch') ?? '';
  return {
    hostname,
    machineId: kv.get('machineId') ?? '',
    arch: ARCH[uname] ?? uname,
    ipvs: kv.get('ipvs') === '1',
    joined: kv.get('joined') === '1',
    controlPlane: kv.get('controlPlane') === '1',
    caSha256: kv.get('caSha256') || undefined,
    swapDevices: Number(kv.get('swap') ?? 0),
    clock: Number(kv.get('clock') ?? 0),
    readAt: Date.now() / 1000,
    listeningPorts: parseListeningPorts(ss),
  };
}
