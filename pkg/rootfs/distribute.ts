// One push to many hosts: each host's part of the image, compressed with the codec its facts pick;
// above RELAY_THRESHOLD hosts (unless turned off) through relay seeds, so this machine sends a few
// payloads whatever the number of hosts. The workflow's push phase and the benchmark both use it.
import type { HostExec } from '../host/exec.js';
import type { LoadedRootfs } from './load.js';
import { filesFor, MANIFEST_FILE, type RootfsRole } from './manifest.js';
import { codecFor } from './payload.js';
import { pushRootfs, type PushOutcome } from './push.js';
import { pickSeeds, Relay, RELAY_THRESHOLD } from './relay.js';

export interface TargetHost {
  ip: string;
  exec: HostExec;
  role: RootfsRole;
  /** From its facts; undefined: files travel as they are, and it neither serves nor fetches. */
  facts?: { zstd: boolean; python3: boolean };
}

export interface DistributeOptions<H> {
  /** Use seeds above RELAY_THRESHOLD hosts (`--no-relay`: false). */
  relay: boolean;
  /** Runs `fn` for every host under the caller's fan-out (its concurrency, its failure reporting). */
  forEach: (hosts: readonly H[], fn: (h: H) => Promise<void>) => Promise<unknown>;
  /** After a host's files are in place and verified (init.sh): a seed already serves meanwhile. */
  then?: (h: H, outcome: PushOutcome) => Promise<void>;
  /** What the relay did or could not do, for the run's notes. */
  onNote?: (note: string) => void;
}

/** A promise and the functions that settle it (Node 20 has no Promise.withResolvers). */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // a seed's failure is its own host's error; the relay only skips it
  return { promise, resolve, reject };
}

/**
 * Push `rootfs` to every host. Seeds (masters first: their part holds a node's) come first in the
 * fan-out, so they never wait for a slot held by a host that waits for them; a seed serves once its
 * own push is verified, and the others fetch from one in turn, falling back to this machine.
 */
export async function distributeRootfs<H extends TargetHost>(rootfs: LoadedRootfs, hosts: readonly H[], o: DistributeOptions<H>): Promise<void> {
  const one = async (h: H, relay?: Relay, pushed?: () => void) => {
    const outcome = await pushRootfs(h.exec, rootfs, h.role, {
      ...(h.facts ? { codec: codecFor(h.facts) } : {}),
      ...(relay && h.facts?.python3 ? { relay: () => relay.sourceFor() } : {}),
    });
    pushed?.();
    await o.then?.(h, outcome);
  };
  const seeds = o.relay && hosts.length > RELAY_THRESHOLD ? pickSeeds(hosts.map((h) => ({ h, ip: h.ip, master: h.role === 'master', python3: h.facts?.python3 ?? false }))).map((c) => c.h) : [];
  if (seeds.length === 0) {
    await o.forEach(hosts, (h) => one(h));
    return;
  }
  const pushed = new Map(seeds.map((h) => [h, deferred()]));
  const relay = new Relay(
    seeds.map((h) => ({ ip: h.ip, exec: h.exec, files: [...filesFor(rootfs.manifest, h.role).map((f) => f.path), MANIFEST_FILE], ready: pushed.get(h)!.promise })),
    hosts.map((h) => h.ip),
    new Map(rootfs.manifest.files.map((f) => [f.path, f.mode])),
    o.onNote,
  );
  const rest = hosts.filter((h) => !pushed.has(h));
  o.onNote?.(`rootfs relay: ${seeds.length} seed(s) (${seeds.map((h) => h.ip).join(', ')}) receive it from here; ${rest.length} host(s) fetch from them`);
  try {
    await o.forEach([...seeds, ...rest], async (h) => {
      const seed = pushed.get(h);
      if (!seed) return one(h, relay);
      try {
        await one(h, undefined, () => seed.resolve());
      } finally {
        seed.reject(new Error('seed push failed')); // no-op once resolved
      }
    });
  } finally {
    await relay.close();
  }
}
