// Measures the fleet for README.md: time to create N hosts, memory per host, teardown time.
//   npx tsx test/fleet/measure.ts [--id 13] [--sizes 5,20] [--inits tini,systemd]
import { readFile, readdir, readlink, statfs } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { fleetUp, type Fleet } from './index.js';
import { sshExec } from './test-helpers.js';

/** Proportional set size (kB) of every process in a host, its launcher included. */
async function hostPssKb(fleet: Fleet, hostIndex: number): Promise<number> {
  const h = fleet.hosts[hostIndex]!;
  const netns = await readlink(`/proc/${await fleet.initPid(h)}/ns/net`);
  const launcher = Number((await readFile(fleet.paths(h).pidFile, 'utf8')).trim());
  let total = 0;
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const inHost = Number(e) === launcher || (await readlink(`/proc/${e}/ns/net`).catch(() => '')) === netns;
    if (!inHost) continue;
    const rollup = await readFile(`/proc/${e}/smaps_rollup`, 'utf8').catch(() => '');
    total += Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
  }
  return total;
}

async function measure(id: number, n: number, init: 'tini' | 'systemd'): Promise<string> {
  const load = loadavg()[0]!.toFixed(1);
  const t0 = performance.now();
  const fleet = await fleetUp({ id, n, init });
  const upMs = performance.now() - t0;
  try {
    // Everyone answers a real login, not only the banner.
    const t1 = performance.now();
    await Promise.all(fleet.hosts.map((h) => sshExec(fleet, h, 'true')));
    const loginMs = performance.now() - t1;
    // Let systemd hosts settle (journald, ssh) before reading memory.
    await new Promise((r) => setTimeout(r, 1000));
    const pss: number[] = [];
    for (let i = 0; i < fleet.hosts.length; i++) pss.push(await hostPssKb(fleet, i));
    const fs = await statfs(fleet.inventory.runtimeDir);
    const tmpfsKb = ((fs.blocks - fs.bfree) * fs.bsize) / 1024;
    const avgPss = pss.reduce((a, b) => a + b, 0) / pss.length;
    const t2 = performance.now();
    await fleet.down();
    const downMs = performance.now() - t2;
    return `| ${init} | ${n} | ${(upMs / 1000).toFixed(2)} s | ${(loginMs / 1000).toFixed(2)} s | ${(avgPss / 1024).toFixed(1)} MB | ${(tmpfsKb / 1024 / n).toFixed(2)} MB | ${(downMs / 1000).toFixed(2)} s | ${load} |`;
  } catch (e) {
    await fleet.down();
    throw e;
  }
}

const { values } = parseArgs({
  options: { id: { type: 'string', default: '13' }, sizes: { type: 'string', default: '5,20' }, inits: { type: 'string', default: 'tini,systemd' } },
});
console.log('| init | hosts | up (all sshd answering) | first login on all, in parallel | PSS per host | tmpfs per host | down | machine load avg (1 min) before |');
console.log('|---|---|---|---|---|---|---|---|');
for (const init of values.inits!.split(',') as Array<'tini' | 'systemd'>) {
  for (const n of values.sizes!.split(',').map(Number)) {
    console.log(await measure(Number(values.id), n, init));
  }
}
