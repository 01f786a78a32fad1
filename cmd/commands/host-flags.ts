// Flags shared by `sealts exec` and `sealts cp`: which hosts, how to log in, host-key policy.
import { Command } from 'commander';
import { writeDocument } from '../../pkg/output/document.js';
import type { Secret } from '../../pkg/secret/secret.js';
import { parseRoles, passwordFromEnv, promptSecret, selectTargets, type AdhocSettings, type Selected } from '../../pkg/ssh/adhoc-index.js';
import type { GlobalOptions } from '../global.js';
import { UserError } from '../../pkg/errors/errors.js';
import { loadClusterfile } from '../../pkg/clusterfile/index.js';
import { checkLocalInputs, withCluster } from '../../pkg/workflow/index.js';

export interface HostFlags {
  file?: string;
  hosts?: string;
  roles?: string;
  user?: string;
  pk?: string;
  passwdEnv?: string;
  askPasswd?: boolean;
  knownHosts?: string;
  insecureIgnoreHostKey?: boolean;
  sudo?: boolean;
  concurrentUploads?: string;
}

export function addHostFlags(cmd: Command): Command {
  return cmd
    .option('-f, --file <Clusterfile>', 'hosts of this Clusterfile (default: the stored Clusterfile of --cluster)')
    .option('--hosts <ips>', 'ad-hoc hosts: a,b  ip:port  198.18.0.11-15')
    .option('--roles <roles>', 'only hosts with these roles: master,node')
    .option('--user <user>', 'log in as this user (default: the Clusterfile\'s, or root)')
    .option('--pk <file>', 'private key file')
    .option('--passwd-env <VAR>', 'login (and sudo) password from this environment variable')
    .option('--ask-passwd', 'ask for the login (and sudo) password on the terminal')
    .option('--known-hosts <file>', 'check and record host keys in this file (default: sealts\' own known_hosts)')
    .option('--insecure-ignore-host-key', 'DANGEROUS: do not verify host keys')
    .option('--sudo', 'run as root through sudo when the user is not root');
}

export async function resolveHosts(f: HostFlags, g: GlobalOptions): Promise<Selected> {
  let passwd: Secret | undefined;
  if (f.passwdEnv !== undefined) passwd = passwordFromEnv(f.passwdEnv);
  else if (f.askPasswd) passwd = await promptSecret('SSH password: ');
  // A stored cluster (--cluster, or the only one) is opened the way every command opens one.
  const stored = f.hosts === undefined && f.file === undefined;
  const cluster = stored ? await withCluster({ flags: g, lock: false }, async (c) => ({ cluster: c.cluster, knownHosts: await c.state.knownHostsPath() })) : undefined;
  if (!stored && g.cluster !== undefined) throw new UserError('choose one of --hosts, -f/--file and --cluster');
  // The Clusterfile's keys are checked before any host, each problem at its line (as for apply).
  if (f.file !== undefined) await checkLocalInputs(await loadClusterfile(f.file), { keys: f.pk === undefined, image: false });
  return selectTargets({
    cluster,
    file: f.file,
    hosts: f.hosts,
    roles: f.roles === undefined ? undefined : parseRoles(f.roles),
    user: f.user,
    pk: f.pk,
    passwd,
    knownHosts: f.knownHosts,
    warn: (line) => g.quiet || process.stderr.write(`warning: ${line}\n`),
  });
}

/** Pool settings; in text mode host output is streamed as `host | line`, notes go to stderr. */
export function adhocSettings(sel: Selected, f: HostFlags, g: GlobalOptions, streamOutput: boolean): AdhocSettings {
  return {
    hostKeys: sel.hostKeys,
    insecureIgnoreHostKey: Boolean(f.insecureIgnoreHostKey),
    concurrency: g.concurrency,
    onLine: (host, kind, line) => {
      if (kind === 'stdout' && streamOutput) process.stdout.write(`${host} | ${line}\n`);
      else if (kind === 'stderr' && streamOutput) process.stderr.write(`${host} | ${line}\n`);
      else if (!g.quiet && (kind === 'warn' || (kind === 'info' && /trusting new host key/.test(line)))) process.stderr.write(`${host}: ${line}\n`);
      else if (g.debug && (kind === 'info' || kind === 'cmd')) process.stderr.write(`${host} ${kind}: ${line}\n`);
    },
  };
}

export function printStructured(format: 'json' | 'yaml', data: unknown): void {
  writeDocument(format, data);
}
