// Runs the sealts side of a benchmark row in its own process, so GNU time measures only sealts:
//   node --import tsx bench/lib/sealts-worker.ts fanout|push|rootfs '<json settings>'
// rootfs: what apply's push phase does (pkg/rootfs/distribute.ts: open the image, host facts for
// codec and relay, each host's part, relay seeds above 8 hosts unless relay is false), init.sh aside.
// Prints {"opMs": ...}: the time of the operation itself (connect + work + close). On failure it
// prints the whole error to stderr (every failed host, each with its full message and cause) and
// exits 1, so the benchmark's row can carry it.
import { SshPool, forEachHost, requireAllOk, type Target } from '../../pkg/ssh/index.js';
import { MultiHostError } from '../../pkg/errors/errors.js';
import { gatherFacts } from '../../pkg/host/facts.js';
import { hostExecOf } from '../../pkg/host/exec.js';
import { distributeRootfs, loadRootfs, type RootfsRole, type TargetHost } from '../../pkg/rootfs/index.js';
import { workerPoolOptions } from './worker-pool.js';

interface Settings {
  ips: string[];
  keyPath: string;
  knownHostsPath: string;
  concurrency: number;
  /** push: local directory and remote destination */
  src?: string;
  dest?: string;
  /** rootfs: the image, each host's role (same order as ips), and whether relay seeds are used */
  image?: string;
  roles?: RootfsRole[];
  relay?: boolean;
  /** rootfs: gather each host's facts first, as apply does (false: the push alone; nothing may need sending then) */
  facts?: boolean;
}

/** The product's push of a rootfs image to every host. */
async function pushImage(pool: SshPool, targets: Target[], s: Settings): Promise<void> {
  const rootfs = await loadRootfs(s.image!);
  // `name`: what pkg/ssh's fan-out names a host by.
  const hosts: Array<TargetHost & { name: string }> = await Promise.all(targets.map(async (t, i) => {
    const exec = hostExecOf(await pool.connect(t));
    return { name: t.ip, ip: t.ip, exec, role: s.roles![i]!, ...(s.facts === false ? {} : { facts: await gatherFacts(exec) }) };
  }));
  await distributeRootfs(rootfs, hosts, {
    relay: s.relay !== false,
    forEach: async (hs, fn) => requireAllOk(await forEachHost(hs, fn, { concurrency: s.concurrency })),
    onNote: (n) => process.stderr.write(`${n}\n`),
  });
}

/** An error in full: the message, each failed host's whole message, and the causes. */
function fullText(e: unknown, indent = ''): string {
  if (!(e instanceof Error)) return `${indent}${String(e)}`;
  // A stack only for what looks like a bug here (a TypeError...); a HostError's message says it all.
  const bug = e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError;
  const lines = [(bug ? (e.stack ?? e.message) : e.message).split('\n').map((l) => indent + l).join('\n')];
  if (e instanceof MultiHostError) for (const f of e.failures) lines.push(fullText(f.error, `${indent}  `));
  for (let c: unknown = e.cause, depth = 0; c !== undefined && depth < 5; c = c instanceof Error ? c.cause : undefined, depth++) {
    const m = c instanceof Error ? c.message : String(c);
    if (!lines.join('\n').includes(m)) lines.push(`${indent}  cause: ${m}`);
  }
  return lines.join('\n');
}

async function main(mode: string, s: Settings): Promise<number> {
  const targets: Target[] = s.ips.map((ip) => ({ name: ip, ip, port: 22, ssh: { user: 'root', port: 22, pk: s.keyPath } }));
  const t0 = performance.now();
  const pool = new SshPool(workerPoolOptions(s.knownHostsPath, mode === 'rootfs' ? undefined : s.concurrency));
  try {
    if (mode === 'rootfs') {
      await pushImage(pool, targets, s);
      return performance.now() - t0;
    }
    const results = await forEachHost(
      targets,
      async (t) => {
        const c = await pool.connect(t);
        if (mode === 'fanout') return (await c.exec(['true'])).code;
        return (await c.upload(s.src!, s.dest!)).sent.length;
      },
      { concurrency: s.concurrency },
    );
    requireAllOk(results);
  } finally {
    await pool.closeAll();
  }
  return performance.now() - t0;
}

const [mode, json] = process.argv.slice(2);
try {
  if (mode !== 'fanout' && mode !== 'push' && mode !== 'rootfs') throw new Error(`usage: sealts-worker fanout|push|rootfs '<json settings>' (got mode ${String(mode)})`);
  const opMs = await main(mode, JSON.parse(json ?? '') as Settings);
  process.stdout.write(`${JSON.stringify({ opMs })}\n`);
} catch (e) {
  process.stderr.write(`sealts-worker ${String(mode)}: ${fullText(e)}\n`);
  process.exitCode = 1;
}
