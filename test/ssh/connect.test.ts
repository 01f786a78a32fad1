// Connecting to real OpenSSH hosts (fleet 21): host keys (TOFU, changed, insecure), retries,
// credentials (password, key with passphrase, ssh-agent, bad ones) and a bastion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fleetUp, type Fleet, type FleetHost } from '../fleet/index.js';
import { HostError } from '../../pkg/errors/errors.js';
import { Secret } from '../../pkg/secret/secret.js';
import { fingerprint } from '../../pkg/ssh/index.js';
import { pool, sshConnectionCount, target } from './helpers.js';

let fleet: Fleet;
let dir: string;
let a: FleetHost;
let b: FleetHost;

before(async () => {
  fleet = await fleetUp({ id: 21, n: 2, init: 'tini' });
  [a, b] = fleet.hosts as [FleetHost, FleetHost];
  dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-ssh-connect-'));
});

after(async () => {
  await fleet?.down();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The host's current ed25519 key fingerprint, read inside the host. */
async function hostFingerprint(h: FleetHost): Promise<string> {
  const pub = await fleet.runOk(h, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']);
  return fingerprint(Buffer.from(pub.split(' ')[1]!, 'base64'));
}

describe('host keys', () => {
  test('unknown key: trusted on first use, recorded, said in the log; then known', async () => {
    const kh = path.join(dir, 'tofu', 'known_hosts');
    const first = pool(fleet, { knownHostsFiles: [kh], recordUnknownTo: kh });
    await (await first.pool.connect(target(fleet, a))).exec(['true']);
    await first.pool.closeAll();
    const recorded = await readFile(kh, 'utf8');
    assert.match(recorded, new RegExp(`^${a.ip.replace(/\./g, '\\.')} ssh-\\S+ \\S+\\n$`));
    const tofu = first.lines.find((l) => l.kind === 'info' && /trusting new host key/.test(l.line));
    assert.ok(tofu, 'TOFU is logged');
    assert.match(tofu.line, /SHA256:[A-Za-z0-9+/]{43}/);

    const second = pool(fleet, { knownHostsFiles: [kh], recordUnknownTo: kh });
    await (await second.pool.connect(target(fleet, a))).exec(['true']);
    await second.pool.closeAll();
    assert.equal(await readFile(kh, 'utf8'), recorded, 'nothing new recorded');
    assert.ok(!second.lines.some((l) => /trusting/.test(l.line)));
  });

  test('unknown key with nowhere to record it is refused', async () => {
    const p = pool(fleet, { knownHostsFiles: [path.join(dir, 'none')] });
    await assert.rejects(p.pool.connect(target(fleet, a)), /host-11: connect: root@198\.18\.21\.11:22: unknown host key ssh-\S+ SHA256:/);
  });

  test('changed host key: refused without retries, naming both fingerprints; --insecure-ignore-host-key connects loudly', async () => {
    const old = await hostFingerprint(b);
    await fleet.runOk(b, ['sh', '-c', 'rm -f /etc/ssh/ssh_host_*_key* && ssh-keygen -A >/dev/null']);
    await fleet.sshdStop(b);
    await fleet.sshdStart(b);
    const now = await hostFingerprint(b);
    assert.notEqual(now, old);

    const p = pool(fleet, { retries: 3, retryDelayMs: 2000 });
    const t0 = Date.now();
    await assert.rejects(p.pool.connect(target(fleet, b)), (e: Error) => {
      assert.ok(e instanceof HostError);
      assert.match(e.message, /^host-12: connect: root@198\.18\.21\.12:22: HOST KEY CHANGED: /);
      assert.ok(e.message.includes(`presented ssh-ed25519 ${now}`), e.message);
      assert.ok(e.message.includes(`ssh-ed25519 ${old}`), e.message);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000, 'no retry for a changed key');

    const loud = pool(fleet, { insecureIgnoreHostKey: true });
    assert.equal((await (await loud.pool.connect(target(fleet, b))).exec(['hostname'])).stdout.trim(), 'host-12');
    await loud.pool.closeAll();
    assert.ok(loud.lines.some((l) => l.kind === 'warn' && /host key of 198\.18\.21\.12:22 NOT verified/.test(l.line)));
  });
});

describe('connect', () => {
  test('sshd stopped: bounded retries with backoff, then a clear error', async () => {
    await fleet.sshdStop(a);
    try {
      const p = pool(fleet, { retries: 2, retryDelayMs: 100 });
      const t0 = Date.now();
      await assert.rejects(
        p.pool.connect(target(fleet, a)),
        /^HostError: host-11: connect: root@198\.18\.21\.11:22: connection refused \(gave up after 3 attempts\)$/,
      );
      assert.ok(Date.now() - t0 >= 300, 'backoff 100 + 200 ms');
      assert.deepEqual(
        p.lines.filter((l) => /retry/.test(l.line)).map((l) => l.line.replace(/.*(retry \d\/\d in \d+ ms)/, '$1')),
        ['retry 1/2 in 100 ms', 'retry 2/2 in 200 ms'],
      );
    } finally {
      await fleet.sshdStart(a);
    }
  });

  test('sshd coming back during the retries: the connect succeeds', async () => {
    await fleet.sshdStop(a);
    const p = pool(fleet, { retries: 5, retryDelayMs: 300 });
    const c = p.pool.connect(target(fleet, a));
    await new Promise((r) => setTimeout(r, 500));
    await fleet.sshdStart(a);
    assert.equal((await (await c).exec(['echo', 'up'])).stdout, 'up\n');
    await p.pool.closeAll();
  });

  test('password auth works; a wrong password fails fast with a clear error', async () => {
    const p = pool(fleet, { retries: 3, retryDelayMs: 100 });
    const ok = await p.pool.connect(target(fleet, a, 'root', { pk: undefined, passwd: new Secret(fleet.users.root.password) }));
    assert.equal((await ok.exec(['id', '-un'])).stdout, 'root\n');
    await assert.rejects(
      p.pool.connect(target(fleet, a, 'ops', { pk: undefined, passwd: new Secret('wrong-password') })),
      /^HostError: host-11: connect: ops@198\.18\.21\.11:22: authentication failed/,
    );
    await p.pool.closeAll();
    assert.ok(!p.lines.some((l) => /retry/.test(l.line)), 'no retry for bad credentials');
    assert.ok(!p.lines.some((l) => l.line.includes(fleet.users.root.password)));
  });

  test('missing key file and an encrypted key without passphrase are named; with the passphrase it works', async () => {
    const p = pool(fleet);
    await assert.rejects(
      p.pool.connect(target(fleet, a, 'root', { pk: path.join(dir, 'nope') })),
      new RegExp(`^HostError: host-11: connect: key file ${dir}/nope not found$`),
    );
    const key = path.join(dir, 'enc');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass phrase!', '-f', key]);
    await fleet.runOk(a, ['sh', '-c', 'cat >> /root/.ssh/authorized_keys'], { input: await readFile(`${key}.pub`) });
    await assert.rejects(p.pool.connect(target(fleet, a, 'root', { pk: key })), /key file .*enc is encrypted and no passphrase was given/);
    await assert.rejects(p.pool.connect(target(fleet, a, 'root', { pk: key, pkPasswd: new Secret('wrong phrase') })), /key file .*enc:/);
    const c = await p.pool.connect(target(fleet, a, 'root', { pk: key, pkPasswd: new Secret('pass phrase!') }));
    assert.equal((await c.exec(['true'])).code, 0);
    await p.pool.closeAll();
  });

  test('ssh-agent (SSH_AUTH_SOCK) with the key added by ssh-add', async () => {
    const sock = path.join(dir, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      execFileSync('ssh-add', ['-q', fleet.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
      process.env.SSH_AUTH_SOCK = sock;
      const p = pool(fleet);
      const c = await p.pool.connect(target(fleet, a, 'ops', { pk: undefined }));
      assert.equal((await c.exec(['id', '-un'])).stdout, 'ops\n');
      await p.pool.closeAll();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      process.kill(pid);
    }
  });

  test('bastion: the host is reached through the bastion connection (direct access blocked)', async () => {
    // Host b refuses SSH from the client machine (the bridge address); only a can reach it.
    await fleet.runOk(b, ['iptables', '-I', 'INPUT', '-s', fleet.gateway, '-p', 'tcp', '--dport', '22', '-j', 'REJECT']);
    try {
      const direct = pool(fleet, { retries: 0 });
      await assert.rejects(direct.pool.connect(target(fleet, b)), /connection refused/);
      const t = target(fleet, b, 'ops', {
        bastion: { host: a.ip, port: 22, user: 'root', pk: fleet.keyPath },
      });
      // b's host keys changed in an earlier test: verify against its current keys.
      const kh = path.join(dir, 'bastion_known_hosts');
      const bKey = await fleet.runOk(b, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']);
      await writeFile(kh, `${b.ip} ${bKey.split(' ').slice(0, 2).join(' ')}\n`);
      const viaBastion = pool(fleet, { knownHostsFiles: [fleet.knownHostsPath, kh] });
      const onBastion = await sshConnectionCount(fleet, a);
      const c = await viaBastion.pool.connect(t);
      assert.equal((await c.exec(['hostname'])).stdout, 'host-12\n');
      // b sees its SSH client at a's address: the bytes went through the bastion.
      const peers = await fleet.runOk(b, ['ss', '-Htn', 'state', 'established', '( sport = :22 )']);
      assert.match(peers, new RegExp(`${a.ip.replace(/\./g, '\\.')}:\\d+`));
      await (await viaBastion.pool.connect(target(fleet, b, 'ops2', { bastion: t.ssh.bastion }))).exec(['true']);
      assert.equal(await sshConnectionCount(fleet, a), onBastion + 1, 'one connection to the bastion, shared');
      assert.equal(viaBastion.pool.opened, 3, 'bastion, ops@b, ops2@b');
      await viaBastion.pool.closeAll();
    } finally {
      await fleet.runOk(b, ['iptables', '-D', 'INPUT', '-s', fleet.gateway, '-p', 'tcp', '--dport', '22', '-j', 'REJECT']);
    }
  });
});
