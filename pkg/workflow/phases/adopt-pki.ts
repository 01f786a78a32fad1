// Adopt, PKI: the cluster's CAs, keys and admin kubeconfig read back from a master that runs the
// control plane (and each running master's own certificates from it), checked against what every
// host trusts (the CA sha256 the facts carry) and that each CA key signs its certificate, then
// written to the local PKI dir. Never a new CA for a running cluster.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../../errors/errors.js';
import type { Phase } from '../../phase/types.js';
import { loadCaFromPem } from '../../pki/index.js';
import { sha256Hex } from '../../plan/index.js';
import type { FetchedPkiFile } from '../../runtime/index.js';
import { planOf, type ClusterRun } from '../context.js';
import { localCaSha256 } from './decide.js';

const CAS = ['ca', 'front-proxy-ca', 'etcd/ca'];

export const adoptPki: Phase<ClusterRun> = {
  title: 'Take over the PKI',
  run: async (ctx) => {
    const p = planOf(ctx);
    if (!p.clusterCaSha256) throw new UserError(`no cluster runs on the hosts of ${ctx.clusterfilePath}: \`sealts apply -f ${ctx.clusterfilePath}\` creates one`);
    if (!p.adoptable) {
      if ((await localCaSha256(ctx.pkiDir)) === p.clusterCaSha256) ctx.info('sealts already holds this cluster\'s PKI: nothing to fetch');
      return;
    }
    const seed = p.seed!;
    const files = new Map<string, FetchedPkiFile>();
    for (const f of await ctx.runtime.fetchPki(seed)) files.set(f.local, f);
    // The other running masters' own certificates (apiserver, etcd server and peer) from themselves.
    for (const m of p.apiServers.filter((h) => h !== seed && p.members.includes(h))) {
      for (const f of await ctx.runtime.fetchPki(m)) if (!files.has(f.local)) files.set(f.local, f);
    }
    const text = (name: string) => files.get(name)?.content.toString('utf8') ?? '';
    const caSha = sha256Hex(files.get('ca.crt')?.content ?? '');
    if (caSha !== p.clusterCaSha256) throw new UserError(`${seed.ip}: its ca.crt (sha256 ${caSha.slice(0, 12)}...) is not the CA the hosts trust (${p.clusterCaSha256.slice(0, 12)}...)`);
    for (const ca of CAS) loadCaFromPem(text(`${ca}.crt`), text(`${ca}.key`), `${seed.ip}:${ca}`);
    for (const f of files.values()) {
      const dest = join(ctx.pkiDir, f.local);
      await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
      await writeFile(dest, f.content, { mode: f.mode });
    }
    ctx.info(`pki: ${files.size} file(s) read back from ${seed.ip}, CA sha256 ${caSha.slice(0, 12)}... verified on ${p.members.length} host(s)`);
  },
  dryRun: (ctx) => ctx.intent(ctx.plan?.seed?.ip, 'read the cluster PKI back over SSH and verify it against the CA every host trusts'),
};
