// `sealts cert generate|check-expiration|renew|add-san`: flags only; the work is in pkg/pki.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { writeDocument } from '../../pkg/output/document.js';
import { loadClusterfile, withCertSan } from '../../pkg/clusterfile/index.js';
import { masters, type Cluster } from '../../pkg/clusterfile/types.js';
import { notForK0s } from '../../pkg/runtime/index.js';
import { UserError } from '../../pkg/errors/errors.js';
import {
  ensurePki,
  formatExpirationTable,
  identitiesOf,
  parseHostnameFlags,
  readExpirationsFromDir,
  readExpirationsFromHosts,
  reissueOnMasters,
  renewKey,
  RENEWABLE,
  type ExpirationRow,
  type ReissueResult,
} from '../../pkg/pki/index.js';
import type { SshPool } from '../../pkg/ssh/index.js';
import type { LineSink } from '../../pkg/ssh/types.js';
import type { ClusterState } from '../../pkg/state/index.js';
import { withCluster } from '../../pkg/workflow/index.js';
import { action, example, type GlobalOptions, globals, type OutputFormat, say } from '../global.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  const cert = program.command('cert').description('cluster certificates and kubeconfigs (kubeadm layout)');

  const generate = cert
    .command('generate')
    .description('write the whole PKI and every kubeconfig for a Clusterfile, offline (touches no host)')
    .requiredOption('-f, --file <Clusterfile>', 'the Clusterfile')
    .option('--out <dir>', 'output directory (existing CAs in it are reused)', 'pki')
    .option('--hostname <ip=name>', 'node name of a host (repeatable); default: derived from the IP, e.g. ip-198-18-0-11', collect, [])
    .action(
      action(async (opts: { file: string; out: string; hostname: string[] }, cmd: Command) => {
        const g = globals(cmd);
        const cluster = await loadClusterfile(opts.file);
        const { masters: ms, nodes: ns } = identitiesOf(cluster, parseHostnameFlags(opts.hostname, cluster));
        const out = resolve(opts.out);
        const result = await ensurePki(out, cluster, ms, ns);
        if (g.output !== 'text') return print(g.output, { dir: out, hosts: [...ms, ...ns], ...result });
        say(g, `${out}: ${result.changed.length} written, ${result.kept.length} kept, ${result.removed.length} removed\n`);
        for (const h of [...ms, ...ns]) say(g, `  ${h.ip}  node name ${h.hostname}\n`);
      }),
    );

  example(generate, 'sealts cert generate -f Clusterfile --out pki --hostname 198.18.0.11=master-0');

  const checkExpiration = cert
    .command('check-expiration')
    .description('when each certificate and kubeconfig expires, read from every master (or from a local dir)')
    .option('-f, --file <Clusterfile>', 'the cluster (default: the stored Clusterfile of --cluster)')
    .option('--dir <dir>', 'read a local directory (a copy of /etc/kubernetes or a sealts pki dir) instead of the hosts')
    .action(
      action(async (opts: { file?: string; dir?: string }, cmd: Command) => {
        const g = globals(cmd);
        if (opts.dir !== undefined && opts.file !== undefined) throw new UserError('cert check-expiration: --dir reads a local directory, -f the hosts of a Clusterfile: give one of them');
        if (opts.dir !== undefined) return printRows(g.output, await readExpirationsFromDir(resolve(opts.dir)));
        await withCertCluster(opts.file, g, false, async (cluster, state, pool) => {
          if (cluster.runtime.type === 'k0s') throw notForK0s('cert check-expiration', 'k0s makes and keeps its certificates in /var/lib/k0s/pki on each controller: read a copy of it with --dir');
          const rows = await readExpirationsFromHosts(pool, masters(cluster), g.concurrency, await state.pkiDir());
          printRows(g.output, rows);
          const differ = rows.filter((r) => r.local === 'differs');
          if (differ.length > 0) {
            say(g, `note: ${differ.length} certificate(s) on the masters differ from the local PKI (${differ.map((r) => `${r.source} ${r.name}`).join(', ')}): sealts cert renew pushes the local ones and restarts what uses them\n`, process.stderr);
          }
        });
      }),
    );

  example(checkExpiration, 'sealts --cluster prod cert check-expiration', 'sealts cert check-expiration --dir /etc/kubernetes -o json');

  const renew = cert
    .command('renew')
    .description(`reissue certificates (keeping the CA), push them to every master and restart what uses them; NAME: all, ${RENEWABLE.join(', ')}`)
    .argument('[name]', 'which certificate', 'all')
    .option('-f, --file <Clusterfile>', 'the cluster (default: the stored Clusterfile of --cluster)')
    .action(
      action(async (name: string, opts: { file?: string }, cmd: Command) => {
        const g = globals(cmd);
        const renew = new Set(renewKey(name));
        await withCertCluster(opts.file, g, true, (cluster, state, pool) => reissue(cluster, state, pool, g, renew));
      }),
    );

  example(renew, 'sealts --cluster prod cert renew              # every certificate the CA signs', 'sealts --cluster prod cert renew apiserver');

  const addSan = cert
    .command('add-san')
    .description('add a DNS name or IP to the apiserver certificate of every master')
    .argument('<name>', 'DNS name or IP address')
    .option('-f, --file <Clusterfile>', 'the cluster (default: the stored Clusterfile of --cluster)')
    .action(
      action(async (san: string, opts: { file?: string }, cmd: Command) => {
        const g = globals(cmd);
        await withCertCluster(opts.file, g, true, async (cluster, state, pool) => {
          const withSan: Cluster = { ...cluster, pki: { ...cluster.pki, certSANs: [...cluster.pki.certSANs, san] } };
          await reissue(withSan, state, pool, g, new Set());
          // The stored Clusterfile (what commands without -f act on) keeps the SAN; a file of the user's is theirs to edit.
          const stored = await state.readClusterfile();
          const recorded = stored === undefined ? undefined : withCertSan(stored, san);
          if (recorded !== undefined) await state.writeClusterfile(recorded);
          const yours = opts.file ?? (recorded === undefined ? state.clusterfilePath : undefined);
          if (yours !== undefined && !cluster.pki.certSANs.includes(san)) {
            say(g, `note: add ${san} to spec.pki.certSANs in ${yours}${opts.file ? ' too' : ''}, or its next apply reissues the apiserver certificate without it\n`, process.stderr);
          }
        });
      }),
    );
  example(addSan, 'sealts --cluster prod cert add-san api.prod.example.com');
}

/** The cluster from -f, else the Clusterfile stored by the last apply of --cluster, opened as every command opens one. */
async function withCertCluster<T>(file: string | undefined, g: GlobalOptions, lock: boolean, fn: (cluster: Cluster, state: ClusterState, pool: SshPool) => Promise<T>): Promise<T> {
  const clusterfile = file === undefined ? undefined : { path: file, cluster: await loadClusterfile(file) };
  const onLine: LineSink = g.debug ? (host, kind, line) => process.stderr.write(`${host} ${kind}: ${line}\n`) : () => {};
  return withCluster({ flags: g, clusterfile, lock, command: 'cert' }, async (c) => fn(c.cluster, c.state, await c.pool(onLine)));
}

async function reissue(cluster: Cluster, state: ClusterState, pool: SshPool, g: GlobalOptions, renew: ReadonlySet<string>): Promise<void> {
  // Refused rather than ignored: a dry run that reissued certificates would be worse than none.
  if (g.dryRun) throw new UserError('cert renew/add-san: --dry-run is not supported yet; cert generate --out DIR shows what would be issued');
  const pkiDir = await state.pkiDir();
  const result = await reissueOnMasters({ cluster, pkiDir, pool, concurrency: g.concurrency, renew });
  if (g.output !== 'text') return print(g.output, result);
  say(g, summary(result));
}

function summary(r: ReissueResult): string {
  const lines = [`reissued: ${r.pki.changed.filter((f) => !f.endsWith('.key')).join(', ') || 'nothing'}`];
  for (const h of r.hosts) {
    lines.push(`${h.host}: ${h.written.length} file(s) written${h.restarted.length ? `; restarted ${h.restarted.join(', ')}` : ''}${h.skipped.length ? `; not running here: ${h.skipped.join(', ')}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

function printRows(output: OutputFormat, rows: ExpirationRow[]): void {
  if (output === 'text') process.stdout.write(formatExpirationTable(rows));
  else print(output, rows.map((r) => ({ ...r, expires: r.expires.toISOString() })));
}

function print(output: Exclude<OutputFormat, 'text'>, value: unknown): void {
  writeDocument(output, value);
}
