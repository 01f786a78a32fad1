// Remote steps both runtimes take the same way: poll a command until it succeeds, drain a node with
// retries while its control plane is busy, take a host out (drain, reset, delete its Node).
import type { HostSpec } from '../clusterfile/types.js';
import { HostError } from '../errors/errors.js';
import type { HostExec } from '../host/exec.js';
import { literal, sh } from '../shell/quote.js';
import type { RemoveOptions } from './runtime.js';

/** Run "$2".. every 0.2 s until it succeeds or "$1" seconds have passed (then exit 1, saying its last exit). */
const POLL_UNTIL_OK = literal(
  'end=$(( $(date +%s) + $1 )); shift; while :; do rc=0; "$@" >/dev/null 2>&1 || rc=$?; [ "$rc" -ne 0 ] || exit 0; [ "$(date +%s)" -lt "$end" ] || { echo "last try: exit $rc" >&2; exit 1; }; sleep 0.2; done',
);

/** `argv` on the host, every 0.2 s in one remote command, until it exits 0; else a HostError for `step`. */
export async function pollUntilOk(h: HostExec, step: string, seconds: number, argv: readonly string[], what: string): Promise<void> {
  const r = await h.exec(sh(['sh', '-c', POLL_UNTIL_OK, 'sh', String(seconds), ...argv]));
  if (r.code !== 0) throw new HostError(h.host, step, `${what} within ${seconds} s (${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`})`);
}

const DRAIN_ATTEMPTS = 3;
const DRAIN_RETRY_MS = 5000;
/** Errors of a control plane that is busy, not of the request: worth another try. */
const TRANSIENT_API_ERROR = /etcdserver: (request timed out|leader changed|too many requests)|the server is currently unable to handle the request|TLS handshake timeout|connection refused|i\/o timeout/;

/** `kubectl drain` (run by `kubectl`), tried again when the control plane answered with a busy error. */
export async function drainWithRetries(kubectl: (args: readonly string[]) => Promise<unknown>, nodeName: string): Promise<void> {
  const args = ['drain', nodeName, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=120s'];
  for (let attempt = 1; ; attempt++) {
    try {
      await kubectl(args);
      return;
    } catch (e) {
      // A busy control plane (just upgraded, restarted, or short of CPU) answers an eviction with an
      // etcd or apiserver timeout; drain picks up where it stopped, so such an error gets another try.
      if (attempt >= DRAIN_ATTEMPTS || !TRANSIENT_API_ERROR.test(e instanceof Error ? e.message : String(e))) throw e;
      await new Promise((r) => setTimeout(r, DRAIN_RETRY_MS));
    }
  }
}

export interface RemoveSteps {
  host: HostSpec;
  o: RemoveOptions;
  /** The host's Node object exists (a k0s controller without a worker has none). */
  nodeExists(): Promise<boolean>;
  drain(): Promise<void>;
  /** Between the drain and the reset (k0s: its etcd member leaves through a staying controller). */
  beforeReset?(): Promise<void>;
  reset(): Promise<void>;
  deleteNode(): Promise<void>;
}

/**
 * Taking one host out, the same for every runtime: drain, reset, delete its Node. With --force a
 * host that cannot be reached is only removed from the cluster: it is not drained (its pods would
 * never finish terminating) and cannot be cleaned.
 */
export async function removeHostSteps(s: RemoveSteps): Promise<void> {
  const present = await s.nodeExists();
  const reachable = s.o.reachable(s.host);
  if (!reachable && !s.o.force) throw new HostError(s.host.ip, 'remove', 'not reachable (use --force to remove it anyway)');
  if (present && reachable) await s.drain();
  await s.beforeReset?.();
  if (reachable) {
    try {
      await s.reset();
    } catch (e) {
      if (!s.o.force) throw e;
    }
  }
  if (present) await s.deleteNode();
}
