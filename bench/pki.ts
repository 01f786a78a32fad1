// Benchmark: the whole PKI for 3 masters + 50 nodes (a kubelet.conf each), from an empty dir.
// Run: npx tsx bench/pki.ts [--masters 3] [--nodes 50] [--algorithm RSA-2048] [--runs 3]
// Prints one JSON line per run plus a summary; also measures bare key generation of the same
// number of keys at the same moment, to separate our overhead from OpenSSL's prime search.
import { generateKeyPair } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { Cluster, KeyAlgorithm } from '../pkg/clusterfile/types.js';
import { ensurePki } from '../pkg/pki/index.js';

export interface PkiBenchResult {
  masters: number;
  nodes: number;
  algorithm: KeyAlgorithm;
  keys: number;
  files: number;
  pkiMs: number;
  bareKeygenMs: number;
  rerunMs: number;
}

function cluster(masterIps: string[], nodeIps: string[], algorithm: KeyAlgorithm): Cluster {
  const ssh = { user: 'root', port: 22 };
  return {
    name: 'bench',
    image: 'rootfs',
    runtime: { type: 'kubeadm', version: 'v1.32.8' },
    ssh,
    hosts: [...masterIps.map((ip) => ({ ip, roles: ['master' as const], ssh, env: {} })), ...nodeIps.map((ip) => ({ ip, roles: ['node' as const], ssh, env: {} }))],
    network: { podCIDR: '100.64.0.0/10', serviceCIDR: '10.96.0.0/12', dnsDomain: 'cluster.local', plugin: 'sealts-bridge' },
    vip: { address: '10.103.97.2', mode: 'auto' },
    pki: { caValidityDays: 3650, leafValidityDays: 365, keyAlgorithm: algorithm, certSANs: [] },
    env: {},
    overrides: [],
  };
}

async function bareKeygen(count: number, algorithm: KeyAlgorithm): Promise<number> {
  const gen = promisify(generateKeyPair);
  const t = performance.now();
  await Promise.all(
    Array.from({ length: count }, () =>
      algorithm === 'ECDSA-P256' ? gen('ec', { namedCurve: 'P-256' }) : gen('rsa', { modulusLength: Number(algorithm.slice(4)) }),
    ),
  );
  return performance.now() - t;
}

export async function benchPki(masters: number, nodes: number, algorithm: KeyAlgorithm): Promise<PkiBenchResult> {
  const masterIps = Array.from({ length: masters }, (_, i) => `198.18.33.${11 + i}`);
  const nodeIps = Array.from({ length: nodes }, (_, i) => `198.18.34.${11 + i}`);
  const hosts = (ips: string[], p: string) => ips.map((ip, i) => ({ ip, hostname: `${p}-${i}` }));
  const c = cluster(masterIps, nodeIps, algorithm);
  const dir = await mkdtemp(join(tmpdir(), 'sealts-bench-pki-'));
  try {
    const t = performance.now();
    const r = await ensurePki(dir, c, hosts(masterIps, 'master'), hosts(nodeIps, 'node'));
    const pkiMs = performance.now() - t;
    const t2 = performance.now();
    await ensurePki(dir, c, hosts(masterIps, 'master'), hosts(nodeIps, 'node'));
    const rerunMs = performance.now() - t2;
    // 3 CAs + sa + 4 shared client leaves + admin (+ super-admin) + 6 per master + 1 per node
    const keys = r.changed.filter((f) => f.endsWith('.key') || f.endsWith('.conf')).length;
    return { masters, nodes, algorithm, keys, files: r.changed.length, pkiMs, bareKeygenMs: await bareKeygen(keys, algorithm), rerunMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { masters: { type: 'string', default: '3' }, nodes: { type: 'string', default: '50' }, algorithm: { type: 'string', default: 'RSA-2048' }, runs: { type: 'string', default: '3' } },
  });
  console.log(JSON.stringify({ machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version, uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)' } }));
  const results: PkiBenchResult[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await benchPki(Number(values.masters), Number(values.nodes), values.algorithm as KeyAlgorithm);
    results.push(r);
    console.log(JSON.stringify({ run: i + 1, ...r, pkiMs: Math.round(r.pkiMs), bareKeygenMs: Math.round(r.bareKeygenMs), rerunMs: Math.round(r.rerunMs) }));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({ summary: true, medianPkiMs: Math.round(median(results.map((r) => r.pkiMs))), medianBareKeygenMs: Math.round(median(results.map((r) => r.bareKeygenMs))), medianRerunMs: Math.round(median(results.map((r) => r.rerunMs))) }));
}
