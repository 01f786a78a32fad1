// `sealts cp [host flags] SRC DEST`: upload a file or directory into DEST on every selected host.
import type { Command } from 'commander';
import { MultiHostError, UserError } from '../../pkg/errors/errors.js';
import { quoted } from '../../pkg/errors/show.js';
import { copyToHosts } from '../../pkg/ssh/adhoc-index.js';
import { action, example, globals, say } from '../global.js';
import { addHostFlags, adhocSettings, printStructured, resolveHosts, type HostFlags } from './host-flags.js';

export function register(program: Command): void {
  const cmd = addHostFlags(
    program
      .command('cp')
      .description('upload a file or directory into a remote directory on every host (sha256-verified, unchanged files skipped)')
      .argument('<src>', 'local file or directory')
      .argument('<dest>', 'remote directory (created if missing)'),
  )
    .option('--concurrent-uploads <n>', 'hosts receiving data at the same time (default 10)')
    .action(
      action(async (src: string, dest: string, f: HostFlags, cmd: Command) => {
        const g = globals(cmd);
        const sel = await resolveHosts(f, g);
        const settings = adhocSettings(sel, f, g, false);
        if (f.concurrentUploads !== undefined) settings.concurrentUploads = positive('--concurrent-uploads', f.concurrentUploads);
        const reports = await copyToHosts(sel.targets, src, dest, { sudo: Boolean(f.sudo) }, settings);
        if (g.output !== 'text') printStructured(g.output, reports);
        else {
          for (const r of reports) {
            if (r.ok) say(g, `${r.host}: ${r.sent!.length} sent, ${r.skipped!.length} unchanged\n`);
          }
        }
        const failed = reports.filter((r) => !r.ok);
        if (failed.length > 0) throw new MultiHostError(failed.map((r) => ({ host: r.host, error: new Error(r.error!) })));
      }),
    );
  example(cmd, 'sealts cp ./manifests /root/manifests', 'sealts cp --roles master --sudo ./audit-policy.yaml /etc/kubernetes');
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${flag}: expected a positive integer, got ${quoted(v)}`);
  return n;
}
