import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { lines, REPO, runWithInput, sealts, usableExample } from './helpers.js';

const EXAMPLE = 'clusterfiles/fleet/single-master.yaml';
const HA = 'clusterfiles/fleet/ha.yaml';
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'sealts-cli-'));
  env = { SEALTS_HOME: home };
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Exit 2 with exactly one line on stderr, matching `re`, and nothing on stdout. */
function assertBadInput(r: { code: number | null; stdout: string; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(lines(r.stderr).length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(r.stderr.trimEnd(), re);
  assert.equal(r.stdout, '');
}

describe('sealts CLI basics', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await sealts(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['apply', 'plan', 'join', 'delete', 'status', 'kubeconfig']) assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'));
    for (const f of ['--cluster', '--concurrency', '--dry-run', '--output', '--yes', '--debug']) assert.ok(r.stdout.includes(f), f);
  });

  it('a command\'s --help shows its flags and the global ones', async () => {
    const r = await sealts(['delete', '--help']);
    assert.equal(r.code, 0);
    for (const f of ['--masters <ips>', '--nodes <ips>', '--all', '--force', 'Global Options:', '--yes']) assert.ok(r.stdout.includes(f), f);
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await sealts(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.split('\n')[0], `sealts ${pkg.version}`);
    assert.match(r.stdout, /^Kubernetes v\d+\.\d+\.\d+ \(default\)$/m);
  });

  it('an unknown command is exit 2 with one line', async () => {
    assertBadInput(await sealts(['explode']), /^error: unknown command 'explode'/);
  });

  it('an unknown flag is exit 2 with one line', async () => {
    assertBadInput(await sealts(['plan', '-f', EXAMPLE, '--frobnicate']), /^error: unknown option '--frobnicate'/);
  });

  it('a bad --output is exit 2 with one line', async () => {
    assertBadInput(await sealts(['status', '-o', 'xml']), /^error: option '-o, --output <format>' argument 'xml' is invalid/);
  });

  it('a bad --concurrency is exit 2 with one line', async () => {
    assertBadInput(await sealts(['status', '--concurrency', '0']), /^error: --concurrency: expected a positive integer, got "0"$/);
  });
});

describe('host-list flags', () => {
  it('a bad IP list is exit 2 with one line naming the flag', async () => {
    assertBadInput(await sealts(['join', '--nodes', '198.18.0.11,198.18.0.300'], env), /^error: --nodes: "198\.18\.0\.300" is not an IPv4 address/);
  });

  it('a reversed range is exit 2 with one line', async () => {
    assertBadInput(await sealts(['delete', '--masters', '198.18.0.15-198.18.0.11', '--yes'], env), /^error: --masters: bad IP range "198\.18\.0\.15-198\.18\.0\.11"/);
  });

  it('join without hosts is exit 2', async () => {
    assertBadInput(await sealts(['join'], env), /^error: join: give --masters and\/or --nodes$/);
  });

  it('the same host as master and node is exit 2', async () => {
    assertBadInput(
      await sealts(['join', '--masters', '198.18.0.11-198.18.0.12', '--nodes', '198.18.0.12:2222'], env),
      /^error: 198\.18\.0\.12: given in both --masters and --nodes$/,
    );
  });
});

describe('delete confirmation', () => {
  it('refuses without a TTY and without --yes (exit 2, one line)', async () => {
    assertBadInput(await sealts(['delete', '--nodes', '198.18.0.21'], env), /^error: remove 198\.18\.0\.21 from the cluster: refusing without confirmation \(stdin is not a terminal\); pass --yes$/);
  });

  it('--all without --yes refuses too, and --all with hosts is bad input', async () => {
    assertBadInput(await sealts(['delete', '--all', '--cluster', 'demo'], env), /^error: delete cluster demo and reset all its hosts: refusing without confirmation/);
    assertBadInput(await sealts(['delete', '--all', '--nodes', '198.18.0.21', '--yes'], env), /^error: delete: --all cannot be combined with --masters\/--nodes$/);
  });

  it('on a terminal it asks, and "n" aborts while "y" goes on (real pty through script(1))', async () => {
    const ask = async (answer: string) => {
      const cmd = `${process.execPath} --import tsx cmd/sealts.ts delete --nodes 198.18.0.21`;
      const r = await runWithInput('script', ['-qec', cmd, '/dev/null'], answer, env);
      return { code: r.code, out: r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') };
    };
    const no = await ask('n\n');
    assert.match(no.out, /remove 198\.18\.0\.21 from the cluster\? \[y\/N\]/);
    assert.match(no.out, /error: aborted: not confirmed/);
    assert.equal(no.code, 2);
    const yes = await ask('y\n');
    // Confirmed: delete goes on to look for the cluster (there is none in this SEALTS_HOME).
    assert.match(yes.out, /error: no cluster found in /);
    assert.equal(yes.code, 2);
  });
});

describe('commands that need an applied cluster', () => {
  for (const args of [['join', '--masters', '198.18.0.12', '--nodes', '198.18.0.21-198.18.0.22'], ['delete', '--nodes', '198.18.0.21', '--yes'], ['kubeconfig'], ['status']]) {
    it(`${args.join(' ')} with no cluster in SEALTS_HOME: exit 2, one line saying what to do`, async () => {
      assertBadInput(await sealts(args, env), new RegExp(`^error: no cluster found in ${home}; apply one first, or pass --cluster NAME$`));
    });
  }
});

describe('plan', () => {
  // What plan decides from the hosts' facts is tested on the fleet (test/e2e/decide-cli.test.ts);
  // here the hosts of the examples do not exist.
  it('text: the hosts are contacted first; unreachable ones fail the plan naming each host', async () => {
    const r = await sealts(['plan', '-f', await usableExample(EXAMPLE, home)], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^1\. {2}Connect/m);
    assert.match(r.stderr, /^error: plan failed on \d+ host\(s\): 198\.18\.0\.11: connect: /m);
  });

  it('json: exactly one JSON document on stdout, also when the plan fails', async () => {
    const r = await sealts(['plan', '-f', await usableExample(HA, home), '-o', 'json'], env);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { command: string; dryRun: boolean; ok: boolean; errors: Array<{ host?: string }> };
    assert.equal(doc.command, 'plan');
    assert.equal(doc.dryRun, true);
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.errors.map((e) => e.host), [11, 12, 13, 14, 15, 16].map((n) => `198.18.0.${n}`));
  });

  it('--offline yaml: the Clusterfile with its defaults filled in, no host contacted', async () => {
    const r = await sealts(['plan', '-f', EXAMPLE, '-o', 'yaml', '--offline'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# sealts plan --offline: no host contacted/);
    const doc = parse(r.stdout.split(/^---$/m).find((d) => /kind: Cluster/.test(d)) ?? '') as { spec: { network: { dnsDomain: string }; vip: { address: string } } };
    assert.equal(doc.spec.network.dnsDomain, 'cluster.local');
    // the file's own VIP when it gives one, else sealts' default
    const given = (parse(await readFile(join(REPO, EXAMPLE), 'utf8')) as { spec: { vip?: { address?: string } } }).spec.vip?.address;
    assert.equal(doc.spec.vip.address, given ?? '10.103.97.2');
    const text = await sealts(['plan', '-f', EXAMPLE, '--offline'], env);
    assertBadInput(text, /^error: plan --offline shows only the rendered documents: add -o yaml or -o json$/);
  });

  it('--cluster that contradicts the Clusterfile\'s name is refused before any host (exit 2, both names)', async () => {
    const r = await sealts(['--cluster', 'not-this-one', 'apply', '-f', EXAMPLE, '--yes'], env);
    assertBadInput(r, /^error: --cluster not-this-one contradicts .*, which names cluster \S+$/);
  });

  it('flags that contradict each other are refused, never one silently ignored (exit 2)', async () => {
    assertBadInput(await sealts(['kubeconfig', '--merge', '--out', join(home, 'kc')], env), /^error: kubeconfig: --merge writes into your kubeconfig, --out to a file of its own: give one of them$/);
    assertBadInput(await sealts(['cert', 'check-expiration', '--dir', home, '-f', EXAMPLE], env), /^error: cert check-expiration: --dir reads a local directory, -f the hosts of a Clusterfile: give one of them$/);
    assertBadInput(await sealts(['delete', '--all', '--nodes', '198.18.0.21', '--yes'], env), /^error: delete: --all cannot be combined with --masters\/--nodes$/);
    assertBadInput(await sealts(['exec', '--cluster', 'x', '--hosts', '198.18.0.21', '--', 'true'], env), /^error: /);
  });

  it('a missing file is exit 2 with one line naming it', async () => {
    const r = await sealts(['plan', '-f', 'no/such/Clusterfile'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no\/such\/Clusterfile/);
    assert.equal(r.stdout, '');
  });

  it('a bad Clusterfile is exit 2 with every problem as FILE:LINE:COL (plan and apply)', async () => {
    const file = join(home, 'bad.yaml');
    await writeFile(
      file,
      ['apiVersion: sealts.io/v1', 'kind: Cluster', 'metadata:', '  name: demo', 'spec:', '  image: ../rootfs', '  hosts:', '    - ips: [198.18.0.300]', '      roles: [master]', '  bogus: 1', ''].join('\n'),
    );
    // apply validates exactly as plan does, before it touches any host.
    for (const command of ['plan', 'apply']) {
      const r = await sealts([command, '-f', file], env);
      assert.equal(r.code, 2, command);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^${file.replace(/[.]/g, '\\.')}:8:\\d+: `, 'm'));
      assert.match(r.stderr, new RegExp(`^${file.replace(/[.]/g, '\\.')}:10:3: `, 'm'));
    }
  });

  it('a corrupt state file of the cluster is exit 2 naming the file', async () => {
    const name = (parse((await readFile(join(REPO, EXAMPLE), 'utf8')).split(/^---$/m)[0] ?? '') as { metadata: { name: string } }).metadata.name;
    const cdir = join(home, name);
    await rm(cdir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(cdir, { recursive: true }));
    await writeFile(join(cdir, 'state.json'), 'not json');
    try {
      assertBadInput(await sealts(['plan', '-f', await usableExample(EXAMPLE, home)], env), new RegExp(`^error: ${join(cdir, 'state.json').replace(/[.]/g, '\\.')}: corrupt state file`));
    } finally {
      await rm(cdir, { recursive: true, force: true });
    }
  });
});
