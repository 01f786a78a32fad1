// The packaged CLI: `npm run build` produces dist/cmd/sealts.js, executable through its shebang,
// and `npx sealts` finds it through package.json's bin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO, runNode, type CliResult } from './helpers.js';

function run(command: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const BIN = join(REPO, 'dist', 'cmd', 'sealts.js');

describe('built CLI (npm run build)', () => {
  let version: string;
  before(async () => {
    version = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const r = await run('npm', ['run', 'build', '--silent']);
    assert.equal(r.code, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
  });

  it('dist/cmd/sealts.js is executable and runs through its shebang', async () => {
    await access(BIN, constants.X_OK);
    assert.match(await readFile(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const r = await runNode(['--version'], {}, BIN);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  });

  it('npx sealts --help works and exit codes survive the build', async () => {
    const help = await run('npx', ['--no-install', 'sealts', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: sealts /m);
    const bad = await runNode(['status', '--nope'], {}, BIN);
    assert.equal(bad.code, 2);
    const plan = await runNode(['plan', '-f', 'clusterfiles/single-master.yaml', '-o', 'json', '--offline'], {}, BIN);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal((JSON.parse(plan.stdout) as { command: string }).command, 'plan');
  });
});
