// Runs the sealts side of a benchmark row in its own process, so GNU time measures only sealts:
//   node --import tsx bench/lib/sealts-worker.ts fanout|push '<json settings>'
// Prints {"opMs": ...}: the time of the operation itself (connect + work + close).
import { SshPool, forEachHost, requireAllOk, type Target } from '../../pkg/ssh/index.js';

interface Settings {
  ips: string[];
  keyPath: string;
  knownHostsPath: string;
  concurrency: number;
  /** push: local directory and remote destination */
  src?: string;
  dest?: string;
}

const [mode, json] = process.argv.slice(2);
const s = JSON.parse(json!) as Settings;
const targets: Target[] = s.ips.map((ip) => ({ name: ip, ip, port: 22, ssh: { user: 'root', port: 22, pk: s.keyPath } }));
const t0 = performance.now();
const pool = new SshPool({ knownHostsFiles: [s.knownHostsPath], concurrentUploads: s.concurrency, retries: 0 });
try {
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
process.stdout.write(`${JSON.stringify({ opMs: performance.now() - t0 })}\n`);
