// `sealts exec` and `sealts cp` as users run them (fleet 23): host-prefixed output, -o json,
// exit 1 naming failed hosts, exit 2 for bad input, Clusterfile hosts with --roles, sudo by password env.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let fleet: Fleet;
let home: string;
let a: FleetHost;
let b: FleetHost;

before(async () => {
  fleet = await fleetUp({ id: 23, n: 2, init: 'tini' });
  [a, b] = fleet.hosts as [FleetHost, FleetHost];
  home = await mkdtemp(path.join(os.tmpdir(), 'sealts-ssh-cli-'));
});

after(async () => {
  await fleet?.down();
  if (home) await rm(home, { recursive: true, force: true });
});

function sealts(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cmd/sealts.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, SEALTS_HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('sealts exec / cp', () => {
  test('exec on an ad-hoc list: output prefixed by host; new host keys recorded (TOFU, said on stderr)', async () => {
    const r = await sealts(['exec', '--hosts', `${a.ip},${b.ip}`, '--pk', fleet.keyPath, '--', 'sh', '-c', 'echo "$(hostname) says; hi"']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), [`${a.ip} | host-11 says; hi`, `${b.ip} | host-12 says; hi`]);
    assert.match(r.stderr, /trusting new host key/);
    const recorded = await readFile(path.join(home, 'known_hosts'), 'utf8');
    assert.equal(recorded.split('\n').filter(Boolean).length, 2);
    const again = await sealts(['exec', '--hosts', `${a.ip}-12`, '--pk', fleet.keyPath, '--', 'true']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /trusting/);
  });

  test('exec -o json: per-host results; a failing host makes exit 1 and is named', async () => {
    const r = await sealts([
      'exec', '-o', 'json', '--hosts', `${a.ip},${b.ip}`, '--pk', fleet.keyPath, '--known-hosts', fleet.knownHostsPath,
      '--', 'sh', '-c', 'test "$(hostname)" = host-11 || { echo nope >&2; exit 4; }; echo fine',
    ]);
    assert.equal(r.code, 1);
    const results = JSON.parse(r.stdout) as Array<{ host: string; ok: boolean; code: number; stdout: string; stderr: string }>;
    assert.deepEqual(
      results.map((x) => [x.host, x.ok, x.code, x.stdout, x.stderr]),
      [
        [a.ip, true, 0, 'fine\n', ''],
        [b.ip, false, 4, '', 'nope\n'],
      ],
    );
    assert.match(r.stderr, new RegExp(`^error: 1 host\\(s\\) failed: ${b.ip.replace(/\./g, '\\.')}: exit 4$`, 'm'));
  });

  test('cp with -f Clusterfile, --roles and a sudo user whose password comes from an env var', async () => {
    const cf = path.join(home, 'Clusterfile');
    await writeFile(
      cf,
      [
        'apiVersion: sealts.io/v1',
        'kind: Cluster',
        'metadata: {name: cli}',
        'spec:',
        `  image: ${home}`,
        `  ssh: {pk: ${fleet.keyPath}}`,
        '  hosts:',
        `    - {ips: [${a.ip}], roles: [master]}`,
        `    - {ips: [${b.ip}], roles: [node]}`,
        '',
      ].join('\n'),
    );
    const src = path.join(home, 'payload.txt');
    await writeFile(src, 'payload\n');
    const args = ['cp', '-f', cf, '--roles', 'node', '--user', 'ops2', '--passwd-env', 'OPS2_PW', '--sudo', '--known-hosts', fleet.knownHostsPath, src, '/root/cp-dest'];
    const r = await sealts(args, { OPS2_PW: fleet.users.ops2.password });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${b.ip}: 1 sent, 0 unchanged\n`);
    assert.equal(await fleet.runOk(b, ['cat', '/root/cp-dest/payload.txt']), 'payload\n');
    assert.equal((await fleet.run(a, ['test', '-e', '/root/cp-dest'])).code, 1, 'the master was not selected');
    const again = await sealts(args, { OPS2_PW: fleet.users.ops2.password });
    assert.equal(again.stdout, `${b.ip}: 0 sent, 1 unchanged\n`);
    assert.ok(!(r.stderr + again.stderr).includes(fleet.users.ops2.password));
  });

  test('bad input: exit 2 with one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['exec', '--hosts', '300.1.1.1', '--', 'true'], /^error: .*300\.1\.1\.1/],
      [['exec', '--hosts', a.ip, '--passwd-env', 'SEALTS_NO_SUCH_VAR', '--', 'true'], /^error: --passwd-env: environment variable SEALTS_NO_SUCH_VAR is not set$/],
      [['exec', '--hosts', a.ip, '--roles', 'boss', '--', 'true'], /^error: --roles: unknown role "boss"/],
      [['exec', '--hosts', a.ip, '--timeout', '-1', '--', 'true'], /^error: --timeout: expected seconds > 0/],
    ];
    for (const [args, want] of cases) {
      const r = await sealts(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.trim(), want);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  test('an unreachable host: exit 1 naming it after the retries', async () => {
    await fleet.sshdStop(b);
    try {
      const r = await sealts(['exec', '--hosts', b.ip, '--pk', fleet.keyPath, '--known-hosts', fleet.knownHostsPath, '--', 'true']);
      assert.equal(r.code, 1);
      assert.match(r.stderr.trim(), new RegExp(`^error: 1 host\\(s\\) failed: ${b.ip.replace(/\./g, '\\.')}: connect: root@.*connection refused \\(gave up after 4 attempts\\)$`));
    } finally {
      await fleet.sshdStart(b);
    }
  });
});
