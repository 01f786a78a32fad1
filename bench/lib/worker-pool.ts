// The SshPool options of the benchmark's sealts worker: what the product passes (pkg/workflow/open.ts
// gives SshPool only its known_hosts files, so connect timeout, retries, backoff and keep-alive are
// the pool's own defaults), with the fleet's known_hosts, strict (no trust on first use), and the
// upload bound the product exposes as `--concurrent-uploads`. No retry setting is given here on
// purpose: a dropped handshake on a loaded machine is retried exactly as `sealts apply` retries it.
import type { PoolOptions } from '../../pkg/ssh/index.js';

/** `concurrentUploads` undefined: the product's default, as `sealts apply` has it. */
export function workerPoolOptions(knownHostsPath: string, concurrentUploads?: number): PoolOptions {
  return { knownHostsFiles: [knownHostsPath], ...(concurrentUploads === undefined ? {} : { concurrentUploads }) };
}
