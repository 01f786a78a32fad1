// Memory check of issue 4 item 4: peak RSS of the sealts process while it pushes 1 GB (default
// 10 x 100 MB random files) to 10 fleet hosts at once. Only the sealts row: the point is the bound
// (< 200 MB), not a ratio. Run: npx tsx bench/push-memory.ts [--hosts 10] [--files 10] [--mb 100] [--id 65]
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetUp } from '../test/fleet/index.js';
import { compiledWorker, machine, measure } from './lib/measure.js';

export interface PushMemoryOptions {
  hosts: number;
  files: number;
  mb: number;
  id: number;
}

export async function runPushMemory(o: PushMemoryOptions): Promise<{ wallS: number; cpuS: number; peakRssMb: number }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-mem-'));
  try {
    const src = path.join(tmp, 'data');
    await mkdir(src);
    for (let i = 0; i < o.files; i++) await writeFile(path.join(src, `blob-${i}`), randomBytes(o.mb << 20));
    const worker = await compiledWorker();
    const fleet = await fleetUp({ id: o.id, n: o.hosts, init: 'tini' });
    try {
      const settings = { ips: fleet.hosts.map((h) => h.ip), keyPath: fleet.keyPath, knownHostsPath: fleet.knownHostsPath, concurrency: o.hosts, src, dest: '/var/tmp/sealts-bench-mem' };
      const m = await measure([process.execPath, worker, 'push', JSON.stringify(settings)], { env: { ...process.env, SEALTS_HOME: path.join(tmp, 'home') } });
      return { wallS: m.wallMs / 1000, cpuS: m.cpuS, peakRssMb: m.peakRssMb };
    } finally {
      await fleet.down();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10' }, files: { type: 'string', default: '10' }, mb: { type: 'string', default: '100' }, id: { type: 'string', default: '65' } } });
  const o = { hosts: Number(values.hosts), files: Number(values.files), mb: Number(values.mb), id: Number(values.id) };
  const r = await runPushMemory(o);
  const gb = (o.files * o.mb) / 1024;
  process.stdout.write(
    `push ${o.files} x ${o.mb} MB (${gb.toFixed(2)} GB) to ${o.hosts} hosts: wall ${r.wallS.toFixed(1)} s, CPU ${r.cpuS.toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB (bound: 200 MB)\nmachine: ${machine()}\n`,
  );
}
