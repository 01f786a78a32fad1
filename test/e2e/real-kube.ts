// What every real-Kubernetes test shares: the binaries built from the Go module proxy
// (scripts/kube-bins.sh, cached outside the repo), a real rootfs made from them by `sealts rootfs
// build --kube-bins` (cached beside them, keyed by everything that goes into it), a Clusterfile for
// the fleet with pod and service ranges in 198.18.0.0/15, and kubectl run ON a master with the real
// kubectl the rootfs installed. A missing build fails the test with its reason; it never skips.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Fleet } from '../fleet/index.js';
import { buildRootfs, hostArch } from '../../pkg/rootfs/index.js';
import { DEFAULT_KUBERNETES_VERSION, supportedVersions } from '../../pkg/versions/index.js';
import { REPO } from '../cli/helpers.js';
import { testVip } from './runtime-harness.js';

const run = promisify(execFile);
export const KUBE_VERSION = process.env.SEALTS_KUBE_VERSION ?? DEFAULT_KUBERNETES_VERSION;
/** What the upgrade test goes to: the version table's release of the next minor (`make kube-bins` builds it). */
export const UPGRADE_TO = process.env.SEALTS_KUBE_UPGRADE_TO ?? supportedVersions().find((v) => minorOf(v) === minorOf(KUBE_VERSION) + 1);

function minorOf(v: string): number {
  return Number(v.split('.')[1]);
}
/** Test pod and service ranges: inside 198.18.0.0/15, clear of every fleet's 198.18.<id>.0/24. */
export const TEST_POD_CIDR = '198.19.0.0/17';
export const TEST_SERVICE_CIDR = '198.19.128.0/22';

/** The kube-bins cache dir for a version (default KUBE_VERSION), built when missing (cold: tens of minutes). */
export async function kubeBins(version = KUBE_VERSION): Promise<string> {
  try {
    const { stdout } = await run(path.join(REPO, 'scripts', 'kube-bins.sh'), [version], { maxBuffer: 64 << 20, timeout: 80 * 60_000 });
    return stdout.trim().split('\n').pop()!;
  } catch (e) {
    const x = e as { stderr?: string; message: string };
    throw new Error(`the real Kubernetes binaries could not be built (scripts/kube-bins.sh ${version}): ${(x.stderr ?? x.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** sha256 over the files of `dirs` (paths and contents): what the cached rootfs was made from. */
async function treeHash(dirs: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const d of dirs) {
    const entries = (await readdir(d, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
    for (const f of entries) h.update(`${path.relative(REPO, f)}\0`).update(await readFile(f));
  }
  return h.digest('hex').slice(0, 16);
}

/** A real rootfs directory for a version (default KUBE_VERSION), built once per change of its inputs and kept in the cache. */
export async function realRootfs(version = KUBE_VERSION): Promise<string> {
  const bins = await kubeBins(version);
  const stamps = (await readdir(path.join(bins, 'stamps'))).sort().join(',');
  const key = await treeHash([path.join(REPO, 'rootfs'), path.join(REPO, 'pkg', 'rootfs'), path.join(REPO, 'pkg', 'versions')]);
  const out = path.join(bins, `rootfs-${createHash('sha256').update(stamps + key).digest('hex').slice(0, 12)}`);
  if (await stat(path.join(out, 'manifest.json')).catch(() => undefined)) return out;
  // Old rootfs builds of this version are replaced, not accumulated.
  for (const e of await readdir(bins)) if (e.startsWith('rootfs-')) await rm(path.join(bins, e), { recursive: true, force: true });
  const tmp = `${out}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await buildRootfs({ kubeBins: bins, kubernetesVersion: version, arch: hostArch(), out: tmp });
  await rename(tmp, out);
  return out;
}

export interface RealClusterfile {
  name: string;
  masters: string[];
  nodes: string[];
  image: string;
  /** Default KUBE_VERSION. */
  version?: string;
}

/** The plain Clusterfile a user writes for the fleet: no override document. */
export function realClusterfileText(fleet: Fleet, o: RealClusterfile): string {
  return [
    'apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata:', `  name: ${o.name}`, 'spec:', `  image: ${o.image}`,
    `  runtime: {type: kubeadm, version: ${o.version ?? KUBE_VERSION}}`, `  ssh: {user: root, pk: ${fleet.keyPath}}`,
    `  network: {podCIDR: ${TEST_POD_CIDR}, serviceCIDR: ${TEST_SERVICE_CIDR}}`,
    `  vip: {address: ${testVip(fleet)}, mode: iptables}`,
    '  hosts:', `    - ips: [${o.masters.join(', ')}]`, '      roles: [master]',
    ...(o.nodes.length > 0 ? [`    - ips: [${o.nodes.join(', ')}]`, '      roles: [node]'] : []), '',
  ].join('\n');
}

/** The real kubectl, on a master, as the cluster admin. */
export async function kubectl(fleet: Fleet, master: string, args: string[], input?: string): Promise<string> {
  return fleet.runOk(master, ['/usr/bin/kubectl', '--kubeconfig', '/etc/kubernetes/admin.conf', ...args], { input, timeoutMs: 300_000 });
}

/**
 * A kubectl of `version` at /tmp/kubectl on `host`, from the kube-bins cache: a node's rootfs part
 * has no kubectl (sealts acts through the masters), and a test that acts from a node brings its own.
 */
export async function kubectlOn(fleet: Fleet, host: string, version = KUBE_VERSION): Promise<string> {
  const bin = await readFile(path.join(await kubeBins(version), 'bin', 'kubectl'));
  await fleet.runOk(host, ['sh', '-c', 'cat > /tmp/kubectl && chmod 755 /tmp/kubectl'], { input: bin, timeoutMs: 120_000 });
  return '/tmp/kubectl';
}

/** Poll fn (every second) until it returns true or timeoutMs passes; the error says what was last seen. */
export async function eventually(what: string, timeoutMs: number, fn: () => Promise<boolean | string>): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const r = await fn();
      if (r === true) return;
      last = typeof r === 'string' ? r : 'false';
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > end) throw new Error(`${what}: not true after ${timeoutMs / 1000} s (last: ${last.slice(0, 2000)})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * A Deployment of two busybox httpd replicas (answering their pod name on 8080, ready once they
 * answer) spread over the nodes, and its Service on port 80. `spread`: DoNotSchedule keeps one per
 * node strictly; ScheduleAnyway lets a drained node's replica go to the other. `budget`: a
 * PodDisruptionBudget keeping one replica up through drains.
 */
export function webWorkload(image: string, o: { spread: 'DoNotSchedule' | 'ScheduleAnyway'; budget?: boolean }): string {
  const budget = `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: default}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
`;
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ${o.spread}, labelSelector: {matchLabels: {app: web}}}
      containers:
        - name: web
          image: ${image}
          imagePullPolicy: Never
          command: [/bin/sh, -c, 'mkdir -p /www && echo "$HOSTNAME" > /www/index.html && exec /bin/busybox httpd -f -p 8080 -h /www']
          readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
${o.budget ? budget : ''}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
}

/**
 * A probe on `host`: `check` (a shell condition) every half second, each outcome logged with its
 * time (and a failure's exit status), until stop(), which returns the log. It runs detached on the
 * host, so a slow SSH session from here cannot stretch its gaps.
 */
export async function startProbe(fleet: Fleet, host: string, check: string): Promise<{ stop: () => Promise<string> }> {
  const started = await startLoop(fleet, host, 'probe', `if ${check} >/dev/null 2>&1; then r=ok; else r="fail rc=$?"; fi; echo "$(date +%s.%N) $r"; sleep 0.5`);
  await eventually(`the probe on ${host} answers`, 60_000, async () => Number((await fleet.run(host, ['grep', '-c', ' ok$', '/tmp/probe.log'])).stdout.trim()) >= 3);
  return started;
}

/**
 * `sample` (a shell command) on `host` every second, its output folded onto one time-stamped line:
 * what was happening when a probe went quiet.
 */
export function startSampler(fleet: Fleet, host: string, name: string, sample: string): Promise<{ stop: () => Promise<string> }> {
  return startLoop(fleet, host, name, `echo "$(date +%s.%N) $( { ${sample}; } 2>&1 | tr '\n' ' ')"; sleep 1`);
}

/** `body` in a loop, detached on `host`, its output appended to /tmp/NAME.log until stop(). */
async function startLoop(fleet: Fleet, host: string, name: string, body: string): Promise<{ stop: () => Promise<string> }> {
  const [log, flag] = [`/tmp/${name}.log`, `/tmp/${name}-stop`];
  const loop = `rm -f ${flag} ${log}\nwhile [ ! -e ${flag} ]; do\n  { ${body}; } >> ${log}\ndone`;
  await fleet.runOk(host, ['sh', '-c', 'setsid sh -c "$0" </dev/null >/dev/null 2>&1 &', loop]);
  return {
    stop: async () => {
      await fleet.run(host, ['touch', flag]);
      await new Promise((r) => setTimeout(r, 1500));
      const text = (await fleet.run(host, ['cat', log])).stdout;
      await fleet.run(host, ['rm', '-f', log, flag]);
      return text;
    },
  };
}

/** A probe log's longest time without an answer (seconds), its tries and answers; the last tries' outcome. */
export function probeGaps(log: string): { gap: number; gapStart: number; tries: number; ok: number; endsOk: boolean } {
  const tries = log.trim().split('\n').filter(Boolean).map((l) => l.split(' ')).map(([t, r]) => ({ t: Number(t), ok: r === 'ok' }));
  let last = tries[0]?.t ?? 0;
  let gap = 0;
  let gapStart = last;
  const widen = (t: number) => {
    if (t - last > gap) [gap, gapStart] = [t - last, last];
  };
  for (const x of tries) {
    if (!x.ok) continue;
    widen(x.t);
    last = x.t;
  }
  widen(tries.at(-1)?.t ?? last);
  return { gap, gapStart, tries: tries.length, ok: tries.filter((x) => x.ok).length, endsOk: tries.slice(-3).every((x) => x.ok) };
}

/**
 * The lines of time-stamped logs ("EPOCH rest") from `from` to `to` seconds, merged in time order,
 * each stamped with its seconds from `zero`. A source's line that says what its previous one said is
 * left out (its state holds until its next line), so a CI log that keeps only part of the output
 * still holds the changes that explain a gap.
 */
export function timeline(logs: Record<string, string>, from: number, to: number, zero = from): string {
  const last = new Map<string, string>();
  return Object.entries(logs)
    .flatMap(([who, log]) => log.split('\n').filter(Boolean).map((l) => ({ who, t: Number(l.split(' ')[0]), rest: l.slice(l.indexOf(' ') + 1) })))
    .filter((x) => x.t >= from && x.t <= to)
    .sort((a, b) => a.t - b.t)
    .filter((x) => last.get(x.who) !== x.rest && last.set(x.who, x.rest))
    .map((x) => `${(x.t - zero >= 0 ? '+' : '') + (x.t - zero).toFixed(2)} ${x.who}: ${x.rest}`)
    .join('\n');
}

/**
 * What a failed run's host logs say at their end, for every host its output names as failed: the
 * one-line error holds what failed, the log's last lines why (kubeadm's own lines before its exit).
 * The run's SEALTS_HOME is removed when the test ends, so this is the only copy a CI log keeps.
 */
export async function failedHostLogs(output: string, lines = 40): Promise<string> {
  const dir = /^\s*logs: (\S+)$/m.exec(output)?.[1];
  if (!dir) return '';
  const hosts = [...new Set([...output.matchAll(/^\s*(\d+\.\d+\.\d+\.\d+): \[/gm)].map((m) => m[1]!))];
  const tails = await Promise.all(hosts.map(async (h) => {
    const text = await readFile(path.join(dir, `${h}.log`), 'utf8').catch((e: Error) => `(no log: ${e.message})`);
    return `--- ${h}.log, last ${lines} lines\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  }));
  return tails.join('\n');
}
