// Push, verify, init.sh and clean.sh against real systemd hosts of the emulated fleet (id 41).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { buildRootfs, loadRootfs, pushRootfs, runCleanScript, runInitScript, assertRootfsIntact, type LoadedRootfs } from '../../pkg/rootfs/index.js';
import { HostError } from '../../pkg/errors/errors.js';
import { fleetExec } from '../runtime/fleet-exec.js';
import { upperSnapshot, snapshotDiff } from '../e2e/upper-snapshot.js';
import { fakeBinDir, tempDir } from './helpers.js';

let fleet: Fleet;
let rootfs: LoadedRootfs;
let out: string;

before(async () => {
  out = path.join(await tempDir('sealts-push-'), 'img.tar.gz');
  await buildRootfs({ binDir: await fakeBinDir(), kubernetesVersion: 'v1.32.8', out });
  rootfs = await loadRootfs(out);
  fleet = await fleetUp({ id: 41, n: 2, init: 'systemd' });
});

after(async () => {
  await fleet?.down();
  await rootfs?.close();
  await rm(path.dirname(out), { recursive: true, force: true });
});

test('push verifies, skips when unchanged, re-pushes after tampering; a tampered file stops the host', async () => {
  const [h1] = fleet.hosts;
  const x = fleetExec(fleet, h1!);
  assert.equal(await pushRootfs(x, rootfs), 'pushed');
  assert.equal((await fleet.runOk(h1!, ['cat', '/var/lib/sealts/rootfs/manifest.json'])).includes('v1.32.8'), true);
  assert.equal(await pushRootfs(x, rootfs), 'unchanged');

  await fleet.runOk(h1!, ['sh', '-c', 'echo evil >> /var/lib/sealts/rootfs/bin/kubeadm']);
  await assert.rejects(assertRootfsIntact(x, rootfs.manifest), (e: Error) => e instanceof HostError && /198\.18\.41\.11: verify rootfs: .*bin\/kubeadm: FAILED/.test(e.message));
  await fleet.runOk(h1!, ['touch', '/var/lib/sealts/rootfs/bin/smuggled']);
  await assert.rejects(assertRootfsIntact(x, rootfs.manifest), /bin\/smuggled: not in the manifest/);
  // A tampered host is healed by the next push (the manifest bytes match but the files do not).
  assert.equal(await pushRootfs(x, rootfs), 'pushed');
  await assertRootfsIntact(x, rootfs.manifest);
});

test('a push corrupted in transit is refused and leaves no staging dir', async () => {
  const h2 = fleet.hosts[0]!;
  const real = fleetExec(fleet, h2);
  // Corrupt the tar stream's file data: flip bytes in the middle of the archive.
  const corrupting = {
    host: real.host,
    exec: (cmd: Parameters<typeof real.exec>[0], opts?: { stdin?: string | Buffer }) => {
      if (Buffer.isBuffer(opts?.stdin)) {
        const b = Buffer.from(opts.stdin);
        const idx = b.indexOf('test binary');
        if (idx > 0) b.write('TEST', idx);
        return real.exec(cmd, { stdin: b });
      }
      return real.exec(cmd, opts);
    },
  };
  await fleet.runOk(h2, ['rm', '-rf', '/var/lib/sealts/rootfs']);
  await assert.rejects(pushRootfs(corrupting, rootfs), (e: Error) => e instanceof HostError && /verify rootfs: .*bin\/\w+: FAILED/.test(e.message));
  assert.notEqual((await fleet.run(h2, ['test', '-e', '/var/lib/sealts/rootfs.new'])).code, 0, 'staging removed');
  assert.notEqual((await fleet.run(h2, ['test', '-e', '/var/lib/sealts/rootfs'])).code, 0, 'nothing half-written installed');
});

test('init.sh installs binaries, kubelet unit + drop-in, sysctl and module files, enables kubelet; idempotent; clean.sh undoes it exactly', async () => {
  const h2 = fleet.hosts[1]!;
  const x = fleetExec(fleet, h2);
  const pristine = await upperSnapshot(fleet, h2);
  const kubectlBefore = await fleet.runOk(h2, ['sha256sum', '/usr/bin/kubectl']);
  await pushRootfs(x, rootfs);
  await runInitScript(x);
  await runInitScript(x); // idempotent: second run must not back up our own files as "originals"
  assert.match(await fleet.runOk(h2, ['/usr/bin/kubeadm', 'version']), /kubeadm test binary version/);
  assert.match(await fleet.runOk(h2, ['/usr/bin/kubectl']), /kubectl test binary/);
  assert.equal((await fleet.runOk(h2, ['systemctl', 'is-enabled', 'kubelet'])).trim(), 'enabled');
  assert.match(await fleet.runOk(h2, ['systemctl', 'cat', 'kubelet']), /10-kubeadm.conf[\s\S]*KUBELET_KUBEADM_ARGS/);
  assert.match(await fleet.runOk(h2, ['cat', '/etc/sysctl.d/99-sealts-kubernetes.conf']), /net.ipv4.ip_forward = 1/);
  assert.match(await fleet.runOk(h2, ['cat', '/etc/modules-load.d/sealts-kubernetes.conf']), /br_netfilter/);

  await runCleanScript(x);
  assert.equal(await fleet.runOk(h2, ['sha256sum', '/usr/bin/kubectl']), kubectlBefore, 'the original kubectl is back');
  assert.notEqual((await fleet.run(h2, ['systemctl', 'cat', 'kubelet'])).code, 0, 'no kubelet unit left');
  const diff = snapshotDiff(pristine, await upperSnapshot(fleet, h2));
  assert.deepEqual(diff, [], `host differs from fleet-up after clean:\n${diff.join('\n')}`);
  await runCleanScript(x); // safe twice
});
