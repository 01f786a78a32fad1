// The packaged CLI: `npm run build` produces dist/cmd/sealts.js (one bundled module), executable through its shebang,
// and `npx sealts` finds it through package.json's bin. The build starts from an empty dist/ (no
// stale output of renamed sources) and writes no source maps (the sources are not shipped).
import assert from 'node:assert/strict';
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, runNode, runWithInput, type CliResult } from './helpers.js';

function run(command: string, args: string[]): Promise<CliResult> {
  return runWithInput(command, args, '');
}

const BIN = join(REPO, 'dist', 'cmd', 'sealts.js');
const STALE = join(REPO, 'dist', 'pkg', 'renamed-long-ago.js');

/** The examples' RFC 5737 placeholder addresses (documentation ranges sealts refuses) made private ones. */
function ownAddresses(clusterfile: string): string {
  const nets: Record<string, string> = { '192.0.2': '10.0.0', '198.51.100': '10.0.1', '203.0.113': '10.0.2' };
  return clusterfile.replace(/\b(192\.0\.2|198\.51\.100|203\.0\.113)\.(\d+)\b/g, (_, net: string, host: string) => `${nets[net]}.${host}`);
}

describe('built CLI (npm run build)', () => {
  let version: string;
  let tmp: string | undefined;
  before(async () => {
    version = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    await mkdir(join(REPO, 'dist', 'pkg'), { recursive: true });
    await writeFile(STALE, '// output of a source that no longer exists\n');
    const r = await run('npm', ['run', 'build', '--silent']);
    assert.equal(r.code, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
  });

  after(async () => {
    await rm(STALE, { force: true });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('dist/ holds only this build: no stale files, no source maps', async () => {
    await assert.rejects(access(STALE), 'npm run build left a file no source produces');
    const maps = (await readdir(join(REPO, 'dist'), { recursive: true })).filter((f) => f.endsWith('.map'));
    assert.deepEqual(maps, []);
  });

  it('dist/cmd/sealts.js is executable and runs through its shebang', async () => {
    await access(BIN, constants.X_OK);
    assert.match(await readFile(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const r = await runNode(['--version'], {}, BIN);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n")[0], `sealts ${version}`);
  });

  it('npx sealts --help works and exit codes survive the build', async () => {
    const help = await run('npx', ['--no-install', 'sealts', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: sealts /m);
    const bad = await runNode(['status', '--nope'], {}, BIN);
    assert.equal(bad.code, 2);
    // The example, copied and given real addresses the way its own comments tell a user to.
    tmp = await mkdtemp(join(tmpdir(), 'sealts-build-'));
    const clusterfile = join(tmp, 'single-master.yaml');
    await writeFile(clusterfile, ownAddresses(await readFile(join(REPO, 'clusterfiles', 'single-master.yaml'), 'utf8')));
    const plan = await runNode(['plan', '-f', clusterfile, '-o', 'json', '--offline'], {}, BIN);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal((JSON.parse(plan.stdout) as { command: string }).command, 'plan');
  });
});
