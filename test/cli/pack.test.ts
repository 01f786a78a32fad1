// The CLI as a user installs it: `npm pack` of a clean checkout (the repo's tracked and untracked,
// non-ignored files: what a clone of HEAD plus the working tree's changes holds, without dist/ or
// node_modules/) builds first (prepack) and gives a tarball with dist/, LICENSE and no source maps or
// tests; `npm install -g --prefix TMP` of that tarball prints no warnings (npm's allowScripts
// advisory included) and its `sealts` runs. The install reuses npm's cache (--prefer-offline), so
// it needs no network when the cache is warm.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, runWithInput, type CliResult } from './helpers.js';

/** Dependencies whose install scripts build ssh2's native crypto binding (see README: install). */
const ALLOW_SCRIPTS = 'ssh2,cpu-features';

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runWithInput(command, args, '', env, cwd);
}

const show = (r: CliResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Copy the files a clone of HEAD plus the working tree's changes would hold into `dest`. */
async function cleanCheckout(dest: string): Promise<void> {
  const ls = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], REPO);
  assert.equal(ls.code, 0, `git ls-files in ${REPO} failed (the test packs a clean checkout of the repo):\n${show(ls)}`);
  for (const rel of new Set(ls.stdout.split('\0').filter((f) => f !== ''))) {
    if (!existsSync(join(REPO, rel))) continue; // deleted in the working tree
    await mkdir(dirname(join(dest, rel)), { recursive: true });
    await copyFile(join(REPO, rel), join(dest, rel));
  }
  // The build's tools (tsc) come from the repo's own devDependencies; npm pack never packs node_modules.
  assert.ok(existsSync(join(REPO, 'node_modules', '.bin', 'tsc')), `no ${REPO}/node_modules: run \`make npm-deps\` (npm ci) first`);
  await symlink(join(REPO, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

/** The examples' RFC 5737 placeholder addresses (documentation ranges sealts refuses) made private ones. */
function ownAddresses(clusterfile: string): string {
  const nets: Record<string, string> = { '192.0.2': '10.0.0', '198.51.100': '10.0.1', '203.0.113': '10.0.2' };
  return clusterfile.replace(/\b(192\.0\.2|198\.51\.100|203\.0\.113)\.(\d+)\b/g, (_, net: string, host: string) => `${nets[net]}.${host}`);
}

const NETWORK = /\b(ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/;

describe('npm pack + npm install -g of the tarball', { timeout: 240_000 }, () => {
  let tmp: string;
  let prefix: string;
  let tarball: string;
  let entries: string[];
  let install: CliResult;
  let allowFlag: string[];
  let version: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'sealts-pack-'));
    const src = join(tmp, 'src');
    const out = join(tmp, 'out');
    prefix = join(tmp, 'prefix');
    await mkdir(out);
    await cleanCheckout(src);
    version = (JSON.parse(await readFile(join(src, 'package.json'), 'utf8')) as { version: string }).version;

    const pack = await run('npm', ['pack', '--pack-destination', out], src);
    assert.equal(pack.code, 0, `npm pack (with its prepack build) failed:\n${show(pack)}`);
    const tgz = (await readdir(out)).filter((f) => f.endsWith('.tgz'));
    assert.deepEqual(tgz, [`sealts-${version}.tgz`], 'npm pack wrote one tarball');
    tarball = join(out, tgz[0]!);
    const list = await run('tar', ['-tzf', tarball], tmp);
    assert.equal(list.code, 0, show(list));
    entries = list.stdout.split('\n').filter((l) => l !== '').map((l) => l.replace(/^package\//, ''));

    // npm >= 11.16 knows allowScripts; a global install has no project package.json to read it from,
    // so the flag is how a user approves ssh2's native build (older npm runs install scripts anyway).
    const cfg = await run('npm', ['config', 'get', 'allow-scripts'], tmp);
    allowFlag = cfg.code === 0 && cfg.stdout.trim() !== 'undefined' ? [`--allow-scripts=${ALLOW_SCRIPTS}`] : [];
    install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', ...allowFlag, tarball], tmp);
    if (install.code !== 0 && NETWORK.test(install.stdout + install.stderr)) {
      assert.fail(
        'npm install -g of the tarball needs the npm registry: some dependency is neither in npm\'s cache ' +
          `(${(await run('npm', ['config', 'get', 'cache'], tmp)).stdout.trim()}) nor reachable. Run \`npm ci\` once with network ` +
          `to fill the cache, then this test works offline.\n${show(install)}`,
      );
    }
    assert.equal(install.code, 0, `npm install -g failed:\n${show(install)}`);
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the tarball holds the built CLI, its runtime files and LICENSE; no maps, sources or tests', () => {
    for (const f of ['package.json', 'LICENSE', 'README.md', 'dist/cmd/sealts.js', 'schema/cluster.schema.json', 'rootfs/scripts/init.sh', 'clusterfiles/single-master.yaml']) {
      assert.ok(entries.includes(f), `tarball lacks ${f}:\n${entries.join('\n')}`);
    }
    const unwanted = entries.filter(
      (f) => /\.map$|\.ts$|\.tgz$/.test(f) || /^(test|bench|cmd|pkg|scripts|docs|node_modules|clusterfiles\/fleet)\//.test(f) || f.includes('/node_modules/'),
    );
    assert.deepEqual(unwanted, [], 'tarball holds files a user does not need');
    assert.ok(entries.every((f) => /^(package\.json|LICENSE|README\.md|(dist|schema|rootfs|clusterfiles)\/.+)$/.test(f)), `unexpected top-level files:\n${entries.join('\n')}`);
  });

  it('npm install -g prints no warnings (no install-script advisory to act on)', () => {
    const warnings = (install.stdout + '\n' + install.stderr).split('\n').filter((l) => /^npm (warn|WARN|error|ERR)/.test(l) || /install-scripts|allowScripts/.test(l));
    assert.deepEqual(warnings, [], `npm install -g ${allowFlag.join(' ')} printed warnings:\n${show(install)}`);
  });

  it("ssh2's native crypto binding was built (its install script ran)", () => {
    const binding = join(prefix, 'lib', 'node_modules', 'sealts', 'node_modules', 'ssh2', 'lib', 'protocol', 'crypto', 'build', 'Release', 'sshcrypto.node');
    assert.ok(existsSync(binding), `no ${binding}: ssh2's install script did not run or failed (it needs python3, make and a C++ compiler); SSH is markedly slower without it`);
  });

  it('the installed sealts runs: --version, --help and an offline plan of a copy of a shipped example', async () => {
    const bin = join(prefix, 'bin', 'sealts');
    const v = await run(bin, ['--version'], tmp);
    assert.equal(v.code, 0, show(v));
    assert.equal(v.stdout.split("\n")[0], `sealts ${version}`);
    const help = await run(bin, ['--help'], tmp);
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /^Usage: sealts /m);
    // The example, copied and given real addresses the way its own comments tell a user to.
    const example = await readFile(join(prefix, 'lib', 'node_modules', 'sealts', 'clusterfiles', 'single-master.yaml'), 'utf8');
    const clusterfile = join(tmp, 'single-master.yaml');
    await writeFile(clusterfile, ownAddresses(example));
    const plan = await run(bin, ['plan', '-f', clusterfile, '--offline', '-o', 'json'], tmp);
    assert.equal(plan.code, 0, show(plan));
    assert.equal((JSON.parse(plan.stdout) as { command: string }).command, 'plan');
    assert.doesNotMatch(plan.stderr, /Warning/, 'the installed CLI printed a runtime warning');
  });
});
