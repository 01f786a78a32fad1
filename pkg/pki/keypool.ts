// Keys made ahead of time. RSA key generation is the whole cost of a fresh PKI (OpenSSL 3 spends
// ~150 ms of CPU per 2048-bit key; 78 keys for 3 masters + 50 nodes), and it needs no hostname, no
// SAN, nothing from the hosts. So `apply` can start the pool first and let the thread pool grind
// while it connects to hosts and gathers facts; ensurePki then takes finished keys from it.
import type { KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../clusterfile/types.js';
import { newPrivateKey } from './keys.js';

export class KeyPool {
  readonly algorithm: KeyAlgorithm;
  readonly #pending: Array<Promise<KeyObject>> = [];

  /** Starts generating `count` keys now (on libuv's thread pool). */
  constructor(algorithm: KeyAlgorithm, count: number) {
    this.algorithm = algorithm;
    for (let i = 0; i < count; i++) {
      const key = newPrivateKey(algorithm);
      key.catch(() => undefined); // a failure surfaces when the key is taken, not as an unhandled rejection
      this.#pending.push(key);
    }
  }

  /** A key from the pool (oldest first), or a fresh one when the pool is empty or of another algorithm. */
  take(algorithm: KeyAlgorithm): Promise<KeyObject> {
    if (algorithm === this.algorithm) {
      const next = this.#pending.shift();
      if (next) return next;
    }
    return newPrivateKey(algorithm);
  }

  get remaining(): number {
    return this.#pending.length;
  }
}

/**
 * How many keys a fresh PKI needs: 3 CAs, sa, 4 shared client certs, admin (+ super-admin), 6 per
 * master, 1 per node. For k0s (which makes the leaves itself): the 3 CAs, sa and admin.
 */
export function keysNeeded(masters: number, nodes: number, superAdmin = true, runtime: 'kubeadm' | 'k0s' = 'kubeadm'): number {
  if (runtime === 'k0s') return 5;
  return 8 + 1 + (superAdmin ? 1 : 0) + 6 * masters + nodes;
}
