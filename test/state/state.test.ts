import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { emptyState, listClusters, openState, resolveClusterName, writeFileAtomic } from '../../pkg/state/index.js';

let home: string;
const savedHome = process.env.SEALTS_HOME;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'sealts-state-'));
  process.env.SEALTS_HOME = home;
});
after(async () => {
  if (savedHome === undefined) delete process.env.SEALTS_HOME;
  else process.env.SEALTS_HOME = savedHome;
  await rm(home, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('atomic writes', () => {
  it('a crash between the temp file and the rename leaves the old file intact', async () => {
    const file = join(home, 'atomic.txt');
    await writeFileAtomic(file, 'old');
    await assert.rejects(
      writeFileAtomic(file, 'new', {
        beforeRename: () => {
          throw new Error('simulated crash');
        },
      }),
      /simulated crash/,
    );
    assert.equal(await readFile(file, 'utf8'), 'old');
    // The aborted temp file is cleaned up: only the real file remains.
    assert.deepEqual((await readdir(home)).filter((n) => n.includes('atomic')), ['atomic.txt']);
  });

  it('a killed process mid-write leaves the old content (temp written, never renamed)', async () => {
    const file = join(home, 'killed.txt');
    await writeFileAtomic(file, 'old');
    // A child process that writes the temp file, then dies before the rename.
    const script = `
      import { writeFileAtomic } from ${JSON.stringify(new URL('../../pkg/state/atomic.ts', import.meta.url).href)};
      await writeFileAtomic(${JSON.stringify(file)}, 'new', { beforeRename: () => process.kill(process.pid, 'SIGKILL') });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const signal = await new Promise((resolve) => child.on('exit', (_c, s) => resolve(s)));
    assert.equal(signal, 'SIGKILL');
    assert.equal(await readFile(file, 'utf8'), 'old');
    const leftovers = (await readdir(home)).filter((n) => n.startsWith('.killed.txt.tmp-'));
    assert.equal(leftovers.length, 1, 'the crashed temp file is left beside, not in place of, the real file');
  });

  it('writes 0600 by default whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      const file = join(home, 'mode.txt');
      await writeFileAtomic(file, 'x');
      assert.equal(await mode(file), 0o600);
      await writeFileAtomic(file, 'y', { mode: 0o644 });
      assert.equal(await mode(file), 0o644);
    } finally {
      process.umask(old);
    }
  });
});

describe('cluster state', () => {
  it('round-trips state.json and the Clusterfile with 0600 files in a 0700 dir', async () => {
    const st = openState('alpha');
    assert.equal(await st.read(), undefined);
    assert.equal(await st.readClusterfile(), undefined);
    const s = emptyState('alpha');
    s.hosts['198.18.50.11'] = { roles: ['master'], hostname: 'host-11', machineId: 'abc', joinedAt: new Date().toISOString() };
    s.runtime = { type: 'kubeadm', version: 'v1.32.8' };
    await st.write(s);
    await st.writeClusterfile('kind: Cluster\n');
    const back = await st.read();
    assert.deepEqual(back?.hosts, s.hosts);
    assert.equal(back?.cluster, 'alpha');
    assert.equal(await st.readClusterfile(), 'kind: Cluster\n');
    assert.equal(await mode(st.statePath), 0o600);
    assert.equal(await mode(st.clusterfilePath), 0o600);
    assert.equal(await mode(st.dir), 0o700);
    assert.equal(await mode(await st.pkiDir()), 0o700);
    const logs = await st.logDir('20261123T000000Z-abcd');
    assert.equal(logs, join(home, 'alpha', 'logs', '20261123T000000Z-abcd'));
    assert.equal(await mode(logs), 0o700);
    assert.equal(await st.knownHostsPath(), join(home, 'alpha', 'known_hosts'));
  });

  it('a corrupt state.json is a UserError naming the file, and is never overwritten', async () => {
    const st = openState('broken');
    await st.ensureDir();
    await writeFile(st.statePath, '{"schemaVersion": 1, "cluster": "broken", "hosts": ');
    await assert.rejects(st.read(), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, new RegExp(`^${st.statePath.replace(/[.]/g, '\\.')}: corrupt state file \\(not valid JSON`));
      return true;
    });
    await assert.rejects(st.write(emptyState('broken')), UserError);
    assert.equal(await readFile(st.statePath, 'utf8'), '{"schemaVersion": 1, "cluster": "broken", "hosts": ');
  });

  it('a state.json with the wrong shape says which field is wrong', async () => {
    const st = openState('shape');
    await st.ensureDir();
    const bad = { ...emptyState('shape'), hosts: { '198.18.50.11': { roles: ['boss'], joinedAt: 'x' } } };
    await writeFile(st.statePath, JSON.stringify(bad));
    await assert.rejects(st.read(), /state\.json: corrupt state file: hosts\.198\.18\.50\.11\.roles must be a list of master\|node/);
    await writeFile(st.statePath, JSON.stringify({ ...emptyState('shape'), schemaVersion: 9 }));
    await assert.rejects(st.read(), /schemaVersion 9 was written by a newer sealts/);
  });

  it('rejects cluster names that are not safe directory names', () => {
    assert.throws(() => openState('../etc'), /invalid cluster name/);
    assert.throws(() => openState(''), /invalid cluster name/);
  });

  it('lists clusters, resolves the default one, and archives', async () => {
    const names = await listClusters();
    assert.ok(names.includes('alpha') && names.includes('broken'));
    await assert.rejects(resolveClusterName(undefined), /several clusters .*pass --cluster NAME/);
    assert.equal(await resolveClusterName('alpha'), 'alpha');
    const dest = await openState('shape').archive();
    assert.ok(dest.startsWith(join(home, '.archive', 'shape-')));
    assert.ok(!(await listClusters()).includes('shape'));
  });

  it('a second lock on the same cluster fails naming pid and host; a stale lock is taken over with a warning', async () => {
    const st = openState('locked');
    const lock = await st.lock({ command: 'apply' });
    await assert.rejects(st.lock(), new RegExp(`^UserError: cluster locked is locked by pid ${process.pid} on ${hostname()} \\(sealts apply since \\S+\\); wait for it to finish$`));
    await lock.release();
    // A lock whose owner is dead (pid from a finished child) on this host is taken over, and said.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    for (const text of [`${deadPid} ${hostname()}\n`, `${JSON.stringify({ pid: deadPid, host: hostname(), command: 'delete', since: '2026-01-01T00:00:00.000Z' })}\n`]) {
      await writeFile(st.lockPath, text);
      const warnings: string[] = [];
      const again = await st.lock({ command: 'upgrade', warn: (l) => warnings.push(l) });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, new RegExp(`^taking over the lock of cluster locked from pid ${deadPid} on ${hostname()}.*, which is gone \\(${st.lockPath}\\)$`));
      const now = JSON.parse(await readFile(st.lockPath, 'utf8')) as { pid: number; host: string; command: string };
      assert.deepEqual([now.pid, now.host, now.command], [process.pid, hostname(), 'upgrade']);
      await again.release();
    }
    // Another machine's pid cannot be checked from here: refused, naming it.
    await writeFile(st.lockPath, `${JSON.stringify({ pid: deadPid, host: 'elsewhere.example' })}\n`);
    await assert.rejects(st.lock(), /locked by pid \d+ on elsewhere\.example, another machine: wait for it, or remove /);
    await rm(st.lockPath, { force: true });
  });

});
