// Benchmark (issue 15): push the REAL rootfs (test/e2e/real-kube.ts builds it: the Kubernetes
// binaries, containerd, CNI, the images) to 3 masters + 40 nodes of the fleet, in one run:
//   - sealts, as apply's push phase does it (each host's part, compressed, relay seeds above 8 hosts)
//   - sealts --no-relay (every host from this machine, still per role and compressed)
//   - sealts re-push of the unchanged image (a new process: what a re-apply pays), with and without
//     the host facts apply gathers first (one command per host)
//   - the OpenSSH loop other tools use: `tar c | ssh host tar x` of the whole rootfs to every host
//   - `ssh host true` on every host in parallel: the floor of any re-push
// Per row: wall, client CPU (user + sys of the row's process tree), peak RSS, and the bytes this
// machine sent to the fleet (tx of the fleet's bridge, which host-to-host traffic does not cross).
// The OpenSSH loop's hosts discard what they receive (`cat > /dev/null`): 43 unpacked copies of the
// whole rootfs (20 GB) do not fit this machine's memory (fleet hosts write to tmpfs). That only
// makes the reference faster, so sealts' ratios against it are conservative.
// Run: npx tsx bench/push-scale.ts [--masters 3] [--nodes 40] [--id 52]
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fleetUp, type Fleet } from '../test/fleet/index.js';
import { realRootfs } from '../test/e2e/real-kube.js';
import { filesFor, readManifest } from '../pkg/rootfs/index.js';
import { CURVE25519, compiledWorker, hasFailure, machine, markdownTable, measure, opensshOptions, runPlan, toRow, withRatios, workerOpMs, type Row } from './lib/measure.js';

export interface PushScaleOptions {
  masters: number;
  nodes: number;
  id: number;
}

const REF = 'OpenSSH tar c piped to ssh host, whole rootfs to every host';

/** Bytes this machine has sent into the fleet's bridge (the bridge's own tx: host-to-host frames are forwarded, not counted). */
async function bridgeTx(fleet: Fleet): Promise<number> {
  return Number((await readFile(`/sys/class/net/sealts${fleet.id}/statistics/tx_bytes`, 'utf8')).trim());
}

async function clearHosts(fleet: Fleet): Promise<void> {
  await Promise.all(fleet.hosts.map((h) => fleet.runOk(h, ['rm', '-rf', '/var/lib/sealts'])));
}

/** A row with the bytes it sent, in MB and in payloads (one payload: the whole rootfs, uncompressed). */
async function withBytes(fleet: Fleet, payload: number, row: () => Promise<Row>): Promise<Row> {
  const before = await bridgeTx(fleet);
  const r = await row();
  const sent = (await bridgeTx(fleet)) - before;
  return { ...r, note: `${r.note ? `${r.note}; ` : ''}sent ${(sent / 1e6).toFixed(0)} MB = ${(sent / payload).toFixed(2)} payloads` };
}

export async function runPushScale(o: PushScaleOptions): Promise<{ rows: Row[]; table: string; failed: boolean; payloadMb: number; nodeMb: number }> {
  const image = await realRootfs();
  const manifest = await readManifest(image);
  const payload = manifest.files.reduce((n, f) => n + f.size, 0);
  const worker = await compiledWorker();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sealts-bench-scale-'));
  // 40 node parts (292 MB each) and 3 whole ones are ~13 GB: more than the default tmpfs (half the RAM).
  const fleet = await fleetUp({ id: o.id, n: o.masters + o.nodes, init: 'tini', tmpfsSize: '18g' });
  const ips = fleet.hosts.map((h) => h.ip);
  const roles = ips.map((_, i) => (i < o.masters ? 'master' : 'node'));
  const home = await mkdtemp(path.join(tmp, 'home-'));
  const sealts = async (name: string, relay: boolean, facts = true) => {
    const settings = { ips, roles, image, relay, facts, keyPath: fleet.keyPath, knownHostsPath: fleet.knownHostsPath, concurrency: 32 };
    const m = await measure([process.execPath, worker, 'rootfs', JSON.stringify(settings)], { env: { ...process.env, SEALTS_HOME: home } });
    return toRow(name, m, `push alone ${(workerOpMs(m) / 1000).toFixed(2)} s`);
  };
  const ssh = opensshOptions(fleet.keyPath, fleet.knownHostsPath, CURVE25519).join(' ');
  let pushed = false;
  try {
    const plan: Array<readonly [string, (name: string) => Promise<Row>]> = [
      [REF, (name) => withBytes(fleet, payload, async () => {
        const script = 'o=$1; src=$2; shift 2; fail=0; pids=; for ip; do (tar -C "$src" --exclude=./payload -cf - . | ssh $o -l root "$ip" "cat > /dev/null") & pids="$pids $!"; done; for p in $pids; do wait "$p" || fail=1; done; exit $fail';
        return toRow(name, await measure(['sh', '-c', script, 'sh', ssh, image, ...ips]));
      })],
      ['sealts --no-relay', async (name) => (await clearHosts(fleet), withBytes(fleet, payload, () => sealts(name, false)))],
      ['sealts (relay: 3 seeds)', async (name) => {
        pushed = false;
        await clearHosts(fleet);
        const r = await withBytes(fleet, payload, () => sealts(name, true));
        pushed = true;
        return r;
      }],
      ['sealts re-push (unchanged): connect, host facts, rootfs check', (name) => {
        if (!pushed) throw new Error('not run: the sealts push of the same run failed, so there is nothing unchanged to re-push');
        return withBytes(fleet, payload, () => sealts(name, true));
      }],
      ['sealts re-push (unchanged): connect, rootfs check', (name) => {
        if (!pushed) throw new Error('not run: the sealts push of the same run failed, so there is nothing unchanged to re-push');
        return withBytes(fleet, payload, () => sealts(name, true, false));
      }],
      ['OpenSSH ssh host true, every host in parallel (floor of a re-push)', (name) => withBytes(fleet, payload, async () => {
        const script = 'o=$1; shift; fail=0; pids=; for ip; do ssh $o -l root "$ip" true & pids="$pids $!"; done; for p in $pids; do wait "$p" || fail=1; done; exit $fail';
        return toRow(name, await measure(['sh', '-c', script, 'sh', ssh, ...ips]));
      })],
    ];
    const rows = withRatios(await runPlan(plan, 1), REF);
    const nodeMb = filesFor(manifest, 'node').reduce((n, f) => n + f.size, 0) / 1e6;
    return { rows, table: markdownTable(rows, REF), failed: rows.some(hasFailure), payloadMb: payload / 1e6, nodeMb };
  } finally {
    await clearHosts(fleet).catch(() => {});
    await fleet.down();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { masters: { type: 'string', default: '3' }, nodes: { type: 'string', default: '40' }, id: { type: 'string', default: '52' } } });
  const o = { masters: Number(values.masters), nodes: Number(values.nodes), id: Number(values.id) };
  const load = os.loadavg()[0]!.toFixed(1);
  const { table, failed, payloadMb, nodeMb } = await runPushScale(o);
  process.stdout.write(`push-scale: the real rootfs (${payloadMb.toFixed(0)} MB; a node's part ${nodeMb.toFixed(0)} MB) to ${o.masters} masters + ${o.nodes} nodes, one run\nmachine: ${machine()}; load ${load} before, ${os.loadavg()[0]!.toFixed(1)} after\n\n${table}\n`);
  if (failed) process.exitCode = 1;
}
