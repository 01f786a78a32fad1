// The promises sealts makes to a program, through the real CLI on systemd fleet hosts with the
// stand-ins (id 90): `-o json` prints exactly one JSON document for every command in every outcome
// (success, a host failure, bad input, no such cluster, a held lock); bad local input is refused
// before any host, at its FILE:LINE:COL; a lock left by a dead process is taken over with a warning
// naming it; SIGINT/SIGTERM in the middle of a run write the summary, release the lock, exit 130/143,
// and a re-run resumes; a second SIGINT exits at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO, sealts as runCli, type CliResult } from '../cli/helpers.js';
import { fleetUp, type Fleet } from '../fleet/index.js';
import { cliCluster, clusterfileText, trustFleet } from './cli-cluster.js';

const NAME = 'e2e90';
const V = 'v1.32.8';
let fleet: Fleet;
let work: string;
let home: string;
let cf: string;
let m1: string, n1: string, down: string, spare: string;

const sealts = (args: string[]) => runCli(args, { SEALTS_HOME: home });
const lockPath = () => path.join(home, NAME, 'lock');

/** Exactly one JSON document on stdout, whose `ok`/`exitCode` agree with the process's exit code. */
function oneDocument(r: CliResult, what: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${what}: stdout is not one JSON document (${(e as Error).message}), exit ${r.code}:\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  assert.equal(typeof doc, 'object', what);
  if (doc.ok === false) assert.notEqual(r.code, 0, `${what}: a failed document with exit 0`);
  if (typeof doc.exitCode === 'number') assert.equal(doc.exitCode, r.code, `${what}: exitCode in the document`);
  if (r.code === 0 && 'ok' in doc) assert.equal(doc.ok, true, `${what}: exit 0 with ok false`);
  return doc;
}

async function expectDoc(args: string[], code: number, check?: (doc: Record<string, unknown>, r: CliResult) => void): Promise<void> {
  const r = await sealts(args);
  const what = `sealts ${args.join(' ')}`;
  const doc = oneDocument(r, what);
  assert.equal(r.code, code, `${what}: exit ${r.code}, expected ${code}\n${r.stdout}\n${r.stderr}`);
  check?.(doc, r);
}

before(async () => {
  fleet = await fleetUp({ id: 90, n: 4, init: 'systemd' });
  [m1, n1, down, spare] = fleet.hosts.map((h) => h.ip) as [string, string, string, string];
  ({ work, home, clusterfile: cf } = await cliCluster(fleet, { name: NAME, masters: [m1], nodes: [n1], version: V }));
});

after(async () => {
  await fleet?.down();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('-o json: one document for every command and outcome', () => {
  test('success: every command on a running stand-in cluster', async () => {
    await expectDoc(['apply', '-f', cf, '--yes', '-o', 'json'], 0, (d) => assert.equal(d.command, 'apply'));
    await expectDoc(['plan', '-f', cf, '-o', 'json'], 0, (d) => assert.equal(d.command, 'plan'));
    await expectDoc(['plan', '-f', cf, '--offline', '-o', 'json'], 0, (d) => assert.equal(d.offline, true));
    await expectDoc(['apply', '-f', cf, '--yes', '-o', 'json', '--dry-run'], 0);
    await expectDoc(['upgrade', '-f', cf, '--yes', '-o', 'json'], 0);
    await expectDoc(['status', '-o', 'json'], 0, (d) => assert.equal((d.hosts as unknown[]).length, 2));
    await expectDoc(['kubeconfig', '-o', 'json'], 0, (d) => {
      assert.equal(d.kind, 'Config');
      assert.equal((d.contexts as Array<{ name: string }>)[0]!.name, NAME);
    });
    const yaml = await sealts(['kubeconfig', '-o', 'yaml']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^kind: Config$/m);
    await expectDoc(['kubeconfig', '--out', path.join(work, 'kc'), '-o', 'json'], 0, (d) => assert.equal(d.written, path.join(work, 'kc')));
    // --merge into $KUBECONFIG: the user's own context and current-context kept, unless --use.
    const kc = path.join(work, 'kube', 'config');
    await mkdir(path.dirname(kc), { recursive: true });
    await writeFile(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: mine, cluster: {server: "https://198.18.90.250:6443"}}]\nusers: [{name: me, user: {}}]\ncontexts: [{name: mine, context: {cluster: mine, user: me}}]\ncurrent-context: mine\n');
    const merge = async (extra: string[]) => {
      const r = await runCli(['kubeconfig', '--merge', ...extra, '-o', 'json'], { SEALTS_HOME: home, KUBECONFIG: kc });
      const doc = oneDocument(r, `kubeconfig --merge ${extra.join(' ')}`);
      assert.equal(r.code, 0, r.stderr);
      return { doc, file: parse(await readFile(kc, 'utf8')) as { 'current-context': string; contexts: Array<{ name: string }>; clusters: Array<{ name: string; cluster: { server: string } }> } };
    };
    const kept = await merge([]);
    assert.deepEqual([kept.doc.merged, kept.doc.context, kept.doc.currentContext], [kc, NAME, 'mine']);
    assert.deepEqual(kept.file.contexts.map((c) => c.name), ['mine', NAME]);
    assert.equal(kept.file.clusters.find((c) => c.name === NAME)!.cluster.server, `https://${m1}:6443`, 'the master that answers');
    const used = await merge(['--use']);
    assert.equal(used.file['current-context'], NAME);
    assert.deepEqual(used.file.contexts.map((c) => c.name), ['mine', NAME]);
    await expectDoc(['cert', 'check-expiration', '-o', 'json'], 0, (d) => assert.ok(Array.isArray(d)));
    await expectDoc(['cert', 'generate', '-f', cf, '--out', path.join(work, 'pki'), '-o', 'json'], 0);
    await expectDoc(['exec', '-o', 'json', '--', 'true'], 0, (d) => assert.equal((d as unknown as unknown[]).length, 2));
    await writeFile(path.join(work, 'payload.txt'), 'x\n');
    await expectDoc(['cp', '-o', 'json', path.join(work, 'payload.txt'), '/tmp/sealts-cp'], 0);
    await expectDoc(['rootfs', 'inspect', path.join(work, 'rootfs'), '-o', 'json'], 0, (d) => assert.equal(d.kubernetesVersion, V));
    await expectDoc(['version', '-o', 'json'], 0, (d) => assert.match(String(d.kubernetes), /^v1\.\d+\.\d+$/));
    await expectDoc(['completion', 'bash', '-o', 'json'], 0, (d) => assert.match(String(d.script), /complete/));
  });

  test('a host failure: exit 1, the document names the host', async () => {
    await expectDoc(['exec', '-o', 'json', '--', 'false'], 1);
    await expectDoc(['exec', '-o', 'json', '--hosts', n1, '--pk', fleet.keyPath, '--known-hosts', fleet.knownHostsPath, '--', 'sh', '-c', 'exit 3'], 1);
    // A host whose sshd is down: apply fails on it, naming it; status reports it unreachable.
    await fleet.sshdStop(down);
    const bad = path.join(work, 'with-down.yaml');
    await writeFile(bad, clusterfileText(fleet, { name: NAME, masters: [m1], nodes: [n1, down], version: V, image: 'rootfs' }));
    await expectDoc(['apply', '-f', bad, '--yes', '-o', 'json'], 1, (d) => {
      assert.ok((d.errors as Array<{ host?: string }>).some((e) => e.host === down), JSON.stringify(d.errors));
    });
    await expectDoc(['plan', '-f', bad, '-o', 'json'], 1);
    await expectDoc(['exec', '-o', 'json', '-f', bad, '--', 'true'], 1, (d) => assert.ok(JSON.stringify(d).includes(down)));
  });

  test('bad input: exit 2, each problem with file, line, column and message', async () => {
    const bad = path.join(work, 'bad.yaml');
    await writeFile(bad, (await readFile(cf, 'utf8')).replace('  network: {plugin: none}', '  network: {plugin: none, podCIDR: not-a-cidr}'));
    for (const args of [['apply', '-f', bad], ['plan', '-f', bad], ['adopt', '-f', bad], ['upgrade', '-f', bad], ['cert', 'generate', '-f', bad], ['exec', '-f', bad, '--', 'true']]) {
      await expectDoc([...args.slice(0, args.indexOf('--') < 0 ? args.length : args.indexOf('--')), '-o', 'json', ...(args.includes('--') ? args.slice(args.indexOf('--')) : [])], 2, (d) => {
        const p = (d.problems as Array<{ file: string; line: number; column: number; message: string }>)[0]!;
        assert.equal(p.file, bad);
        assert.equal(p.line, 10);
        assert.ok(p.column > 1);
        assert.match(p.message, /podCIDR/);
      });
    }
    // Bad usage too: an unknown flag, a missing argument, a bad value.
    await expectDoc(['status', '--nope', '-o', 'json'], 2, (d) => assert.equal(d.command, 'status'));
    await expectDoc(['-o', 'json', 'etcd', 'restore'], 2, (d) => assert.equal(d.command, 'etcd restore'));
    await expectDoc(['exec', '--timeout', 'soon', '-o', 'json', '--', 'true'], 2);
    await expectDoc(['join', '--nodes', n1, '-o', 'json'], 2, (d) => assert.match(String(d.error), /already a host/));
    await expectDoc(['delete', '--nodes', '198.18.9.9', '--yes', '-o', 'json'], 2);
    await expectDoc(['rootfs', 'inspect', path.join(work, 'no-such-image'), '-o', 'json'], 2);
  });

  test('bad local input is refused before any host: rootfs, key, bastion key, at FILE:LINE:COL', async () => {
    const text = await readFile(cf, 'utf8');
    const missing = path.join(work, 'missing.yaml');
    await writeFile(missing, text.replace(`pk: ${fleet.keyPath}`, 'pk: ./no-such-key').replace('image: rootfs', 'image: ./no-such-rootfs'));
    const encrypted = path.join(work, 'encrypted-key');
    await new Promise<void>((resolve, reject) =>
      spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-passphrase', '-f', encrypted], { stdio: 'ignore' }).on('close', (c) => (c === 0 ? resolve() : reject(new Error(`ssh-keygen ${c}`)))),
    );
    const locked = path.join(work, 'locked.yaml');
    await writeFile(locked, text.replace(`pk: ${fleet.keyPath}`, `pk: ${encrypted}`));
    const notImage = path.join(work, 'not-image.tar.gz');
    await writeFile(notImage, 'plain text, not gzip');
    const bastion = path.join(work, 'bastion.yaml');
    await writeFile(bastion, text.replace(`{user: root, pk: ${fleet.keyPath}}`, `{user: root, pk: ${fleet.keyPath}, bastion: {host: ${m1}, user: root, pk: ./no-bastion-key}}`).replace('image: rootfs', `image: ${notImage}`));
    await expectDoc(['apply', '-f', missing, '--yes', '-o', 'json'], 2, (d) => {
      const ps = d.problems as Array<{ line: number; column: number; message: string }>;
      assert.deepEqual(ps.map((p) => p.line), [6, 8]);
      assert.match(ps[0]!.message, /^spec\.image: rootfs image .*no-such-rootfs not found$/);
      assert.match(ps[1]!.message, /^spec\.ssh\.pk: key file .*no-such-key not found$/);
    });
    const text1 = await sealts(['apply', '-f', missing, '--yes']);
    assert.equal(text1.code, 2);
    assert.match(text1.stderr, new RegExp(`^${missing.replace(/[.]/g, '\\.')}:8:\\d+: spec\\.ssh\\.pk: key file`, 'm'));
    await expectDoc(['plan', '-f', locked, '-o', 'json'], 2, (d) => assert.match(JSON.stringify(d.problems), /encrypted and no passphrase/));
    await expectDoc(['plan', '-f', bastion, '-o', 'json'], 2, (d) => {
      const ps = d.problems as Array<{ message: string }>;
      assert.ok(ps.some((p) => /^spec\.image: rootfs image .* is not gzip-compressed$/.test(p.message)), JSON.stringify(ps));
      assert.ok(ps.some((p) => /^spec\.ssh\.bastion\.pk: key file .*no-bastion-key not found$/.test(p.message)), JSON.stringify(ps));
    });
    // No state was made for them and no lock left behind.
    assert.equal(existsSync(lockPath()), false);
  });

  test('no such cluster and a held lock: exit 2 with the document', async () => {
    for (const args of [['status'], ['kubeconfig'], ['delete', '--all', '--yes'], ['etcd', 'backup'], ['cert', 'check-expiration'], ['exec', '--', 'true'], ['join', '--nodes', down]]) {
      const at = args.indexOf('--');
      const withJson = at < 0 ? [...args, '-o', 'json', '--cluster', 'no-such'] : [...args.slice(0, at), '-o', 'json', '--cluster', 'no-such', ...args.slice(at)];
      await expectDoc(withJson, 2, (d) => assert.match(String(d.error), /no-such/));
    }
    // Held by a live process on this machine (this test runner).
    await writeFile(lockPath(), `${JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply' })}\n`);
    try {
      for (const args of [['apply', '-f', cf, '--yes'], ['delete', '--nodes', n1, '--yes'], ['etcd', 'backup'], ['cert', 'renew', 'all'], ['upgrade', '-f', cf, '--yes'], ['adopt', '-f', cf, '--yes']]) {
        await expectDoc([...args, '-o', 'json'], 2, (d) => assert.match(String(d.error), new RegExp(`locked by pid ${process.pid} on ${hostname()}`)));
      }
      // Held from another machine: its pid cannot be checked here, so it is not taken over.
      await writeFile(lockPath(), `${JSON.stringify({ pid: 1, host: 'some-other-machine' })}\n`);
      await expectDoc(['apply', '-f', cf, '--yes', '-o', 'json'], 2, (d) => assert.match(String(d.error), /pid 1 on some-other-machine.*another machine/));
    } finally {
      await rm(lockPath(), { force: true });
    }
  });
});

test('a lock left by a process that is gone is taken over with a warning naming it', async () => {
  const dead = await new Promise<number>((resolve) => {
    const c = spawn('true');
    c.on('close', () => resolve(c.pid!));
  });
  await writeFile(lockPath(), `${JSON.stringify({ pid: dead, host: hostname(), command: 'apply', since: '2026-01-01T00:00:00.000Z' })}\n`);
  const r = await sealts(['apply', '-f', cf, '--yes', '-o', 'json']);
  oneDocument(r, 'apply over a stale lock');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`warning: taking over the lock of cluster ${NAME} from pid ${dead} on ${hostname()} \\(sealts apply since 2026-01-01T00:00:00.000Z\\), which is gone`));
  assert.equal(existsSync(lockPath()), false);
});

const HOLD = '/var/lib/sealts-standin/hold-init';

/** `sealts apply` of a one-master cluster held in `kubeadm init` (the stand-in's hold file), then signalled. */
async function interruptedApply(signals: NodeJS.Signals[]): Promise<CliResult & { ms: number }> {
  const name = `${NAME}s`;
  const file = path.join(work, `${name}.yaml`);
  await writeFile(file, clusterfileText(fleet, { name, masters: [spare], nodes: [], version: V, image: 'rootfs' }).replace('    - ips: []\n      roles: [node]\n', ''));
  await trustFleet(fleet, home, name);
  await fleet.runOk(spare, ['sh', '-c', `mkdir -p ${path.dirname(HOLD)} && touch ${HOLD}`]);
  const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/sealts.ts', 'apply', '-f', file, '--yes', '-o', 'json'], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', SEALTS_HOME: home },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const deadline = Date.now() + 120_000;
    while ((await fleet.run(spare, ['test', '-e', `${HOLD.replace('hold-', 'holding-')}`])).code !== 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`kubeadm init never started:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(existsSync(path.join(home, name, 'lock')), true, 'apply holds the lock while it runs');
    const t0 = Date.now();
    for (const s of signals) child.kill(s);
    const code = await closed;
    return { code, stdout, stderr, ms: Date.now() - t0 };
  } finally {
    child.kill('SIGKILL');
    // The held init dies with the test's hold: a re-run must do it again, from what the host runs.
    await fleet.run(spare, ['pkill', '-f', 'kubeadm init']);
    await fleet.runOk(spare, ['rm', '-f', HOLD, HOLD.replace('hold-', 'holding-')]);
  }
}

/** An interrupted apply's cluster: resumed by a re-run (which must succeed), then deleted, so the next test starts clean. */
async function resumeThenDelete(): Promise<void> {
  const again = await sealts(['apply', '-f', path.join(work, `${NAME}s.yaml`), '--yes', '-o', 'json']);
  oneDocument(again, 're-run');
  assert.equal(again.code, 0, `a re-run resumes:\n${again.stderr}`);
  const del = await sealts(['delete', '--all', '--yes', '--cluster', `${NAME}s`]);
  assert.equal(del.code, 0, del.stderr);
}

describe('signals', () => {
  test('SIGINT mid-run: one line, the summary, the lock released, exit 130; a re-run resumes', async () => {
    const r = await interruptedApply(['SIGINT']);
    assert.equal(r.code, 130, r.stderr);
    const doc = oneDocument(r, 'interrupted apply');
    assert.equal(doc.ok, false);
    const errors = doc.errors as Array<{ phase: string; message: string }>;
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.message, new RegExp(`^interrupted by SIGINT during "[^"]+" on ${spare}$`));
    const lines = r.stderr.split('\n').filter((l) => /interrupted by SIGINT/.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /run apply again to resume/);
    assert.equal(existsSync(path.join(home, `${NAME}s`, 'lock')), false);
    // The host logs of the run are written.
    const logDir = String(doc.logDir);
    assert.ok(existsSync(logDir), logDir);
    // A re-run decides from what the host runs now, and finishes the cluster.
    await resumeThenDelete();
  });

  test('SIGTERM exits 143; a second SIGINT exits at once', async () => {
    const term = await interruptedApply(['SIGTERM']);
    assert.equal(term.code, 143, term.stderr);
    assert.equal(oneDocument(term, 'SIGTERM').ok, false);
    assert.equal(existsSync(path.join(home, `${NAME}s`, 'lock')), false);
    await resumeThenDelete();
    const twice = await interruptedApply(['SIGINT', 'SIGINT']);
    assert.equal(twice.code, 130, twice.stderr);
    assert.ok(twice.ms < 5000, `exited after ${twice.ms} ms`);
    assert.equal(existsSync(path.join(home, `${NAME}s`, 'lock')), false, 'the lock goes even with the second signal');
    await resumeThenDelete();
  });
});
