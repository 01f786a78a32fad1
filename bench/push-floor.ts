// Benchmark: the floor under a real apply's overhead. Before `kubeadm init` can start, the first
// master must hold the binaries and have containerd running with the control-plane images imported;
// no tool that ships the runtime in its rootfs (sealts, sealer, sealos) can start init sooner. This
// measures, on one fresh systemd fleet host with the real rootfs:
//   - OpenSSH `tar | ssh` of the rootfs (the bytes alone, nothing verified): the transfer floor;
//   - the same host's init.sh (binaries, containerd started, images imported): the install floor;
// and sets their sum against the 1+2 critical path of bench/real-apply.ts (`--critical-ms`): the
// overhead ratio no apply can beat on this machine. Run: npx tsx bench/push-floor.ts [--id 83]
import { execFile, spawn } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { loadClusterfile } from '../pkg/clusterfile/index.js';
import { connectHost } from '../pkg/host/exec.js';
import { gatherFacts } from '../pkg/host/facts.js';
import { loadRootfs, REMOTE_ROOTFS, runInitScript } from '../pkg/rootfs/index.js';
import { hostInputFiles, hostSettings } from '../pkg/runtime/index.js';
import { SshPool } from '../pkg/ssh/index.js';
import { pauseImage } from '../pkg/versions/index.js';
import { fleetUp } from '../test/fleet/index.js';
import { realClusterfileText, realRootfs, KUBE_VERSION } from '../test/e2e/real-kube.js';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const run = promisify(execFile);

/** `tar -C dir -cf - . | ssh host tar -xf - -C dest`, timed. */
function tarOverSsh(dir: string, key: string, knownHosts: string, ip: string, dest: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const tar = spawn('tar', ['-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ssh = spawn('ssh', ['-i', key, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `root@${ip}`, `mkdir -p ${dest} && tar -xf - -C ${dest}`], { stdio: [tar.stdout, 'inherit', 'inherit'] });
    ssh.on('error', reject);
    ssh.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`tar | ssh exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { id: { type: 'string', default: '83' }, 'critical-ms': { type: 'string', default: '18200' } } });
  const critical = Number(values['critical-ms']);
  const image = await realRootfs();
  const rootfs = await loadRootfs(image);
  const fleet = await fleetUp({ id: Number(values.id), n: 1, init: 'systemd' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'sealts-floor-'));
  const pool = new SshPool({ knownHostsFiles: [fleet.knownHostsPath] });
  try {
    const h = fleet.hosts[0]!;
    const load = (await run('cat', ['/proc/loadavg'])).stdout.trim();
    const bytes = rootfs.manifest.files.reduce((a, f) => a + f.size, 0);
    const transfer = await tarOverSsh(rootfs.dir, fleet.keyPath, fleet.knownHostsPath, h.ip, REMOTE_ROOTFS);
    // init.sh on what tar delivered, with the inputs the host's facts decide (as apply gives it).
    const file = path.join(work, 'Clusterfile');
    await writeFile(file, realClusterfileText(fleet, { name: 'floor', masters: [h.ip], nodes: [], image }));
    const spec = (await loadClusterfile(file)).hosts[0]!;
    const x = await connectHost(pool, spec);
    const settings = hostSettings(spec, await gatherFacts(x));
    const t0 = performance.now();
    await runInitScript(x, 'master', hostInputFiles(settings, pauseImage(KUBE_VERSION)));
    const install = performance.now() - t0;
    const floor = transfer + install;
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(`load before: ${load}`);
    console.log(`rootfs: ${(bytes / 1e6).toFixed(0)} MB, ${rootfs.manifest.files.length} files`);
    console.log(`transfer floor (OpenSSH tar | ssh, no checks): ${s(transfer)} s (${(bytes / 1e6 / (transfer / 1000)).toFixed(0)} MB/s)`);
    console.log(`install floor (init.sh: binaries, containerd, images imported): ${s(install)} s`);
    console.log(`before kubeadm init can start: ${s(floor)} s; the 1+2 critical path: ${s(critical)} s`);
    console.log(`lowest overhead ratio any apply reaches here: ${((critical + floor) / critical).toFixed(2)} (goal 1.15 allows ${s(critical * 0.15)} s of overhead in all)`);
  } finally {
    await pool.closeAll();
    await rootfs.close();
    await fleet.down();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
