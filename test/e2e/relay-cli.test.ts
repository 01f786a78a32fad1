// The rootfs relay through the CLI on systemd fleet hosts (id 54), with the test stand-ins (NOT
// real Kubernetes): an apply of 1 master + 9 nodes (above the relay's 8 hosts) sends the rootfs to
// 3 seeds and the other hosts fetch it from them; no relay server is left afterwards; a re-apply
// starts none; `--no-relay` sends every host its part from this machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { sealts as runCli } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { cliCluster, type CliCluster } from './cli-cluster.js';

const NAME = 'relay54';
let fleet: Fleet;
let c: CliCluster;

const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: c.home });

before(async () => {
  fleet = await fleetUp({ id: 54, n: 10, init: 'systemd' });
  c = await cliCluster(fleet, { name: NAME, masters: [fleet.hosts[0]!.ip], nodes: fleet.hosts.slice(1).map((h) => h.ip), version: 'v1.32.8' });
});

after(async () => {
  if (c) await sealts(['delete', '--all', '--yes']).catch(() => undefined);
  await fleet?.down();
  if (c) await rm(c.work, { recursive: true, force: true });
});

/** The newest run's host logs: host ip -> its log text. */
async function lastRunLogs(): Promise<Map<string, string>> {
  const dir = path.join(c.home, NAME, 'logs');
  const runs = (await readdir(dir)).sort();
  const last = path.join(dir, runs[runs.length - 1]!);
  const out = new Map<string, string>();
  for (const f of await readdir(last)) if (f.endsWith('.log')) out.set(f.replace(/\.log$/, ''), await readFile(path.join(last, f), 'utf8'));
  return out;
}

const fetched = (log: string) => /fetch \d+ file\(s\) from relay /.test(log);
const sentRootfs = (log: string) => /tar x \d+ file\(s\) into a temp dir in \/var\/lib\/sealts\/rootfs/.test(log);

async function relayServers(): Promise<string[]> {
  const out: string[] = [];
  for (const h of fleet.hosts) if ((await fleet.runOk(h, ['ps', '-eww', '-o', 'args'])).includes('X-Sealts-Token')) out.push(h.name);
  return out;
}

test('apply of 10 hosts: 3 seeds get the rootfs from here, the other 7 fetch it from them; nothing keeps serving', async () => {
  const r = await sealts(['apply', '-f', c.clusterfile, '--yes', '--concurrency', '16']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /rootfs relay: 3 seed\(s\) \(/);
  const logs = await lastRunLogs();
  const byIp = fleet.hosts.map((h) => [h.ip, logs.get(h.ip) ?? ''] as const);
  const seeds = byIp.filter(([, l]) => sentRootfs(l) && !fetched(l)).map(([ip]) => ip);
  const fetchers = byIp.filter(([, l]) => fetched(l) && !sentRootfs(l)).map(([ip]) => ip);
  assert.equal(seeds.length, 3, `seeds: ${seeds.join(', ')}`);
  assert.ok(seeds.includes(fleet.hosts[0]!.ip), 'the master is a seed');
  assert.equal(fetchers.length, 7, `fetchers: ${fetchers.join(', ')}`);
  assert.deepEqual(await relayServers(), [], 'no relay server left');

  // Nothing to do: each host's rootfs is checked, nothing is sent or fetched, no server starts.
  const again = await sealts(['apply', '-f', c.clusterfile, '--yes', '--concurrency', '16']);
  assert.equal(again.code, 0, again.stderr);
  const quiet = await lastRunLogs();
  for (const h of fleet.hosts) {
    const l = quiet.get(h.ip) ?? '';
    assert.ok(!fetched(l) && !sentRootfs(l) && !l.includes('serve the rootfs relay'), `${h.name} got or served something on a re-apply`);
  }
});

test('--no-relay: every host gets its part from this machine', async () => {
  assert.equal((await sealts(['delete', '--all', '--yes'])).code, 0);
  const r = await sealts(['apply', '-f', c.clusterfile, '--yes', '--no-relay', '--concurrency', '16']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /rootfs relay/);
  const logs = await lastRunLogs();
  for (const h of fleet.hosts) {
    const l = logs.get(h.ip) ?? '';
    assert.ok(sentRootfs(l) && !fetched(l), `${h.name}: ${fetched(l) ? 'fetched from a seed' : 'no rootfs sent'}`);
  }
});
