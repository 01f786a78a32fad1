// The conventional pieces of a CLI: an example in every command's --help, shell completion that
// completes, `version`, and --quiet leaving only errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../cmd/program.js';
import { completionScript } from '../../cmd/completion.js';
import { fakeBinDir } from '../rootfs/helpers.js';
import { lines, REPO, sealts } from './helpers.js';

const execFileP = promisify(execFile);
let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'sealts-conventions-'));
});
after(() => rm(work, { recursive: true, force: true }));

function* leaves(cmd: Command, path: string[] = []): Generator<{ path: string; cmd: Command }> {
  for (const sub of cmd.commands) {
    const p = [...path, sub.name()];
    if (sub.commands.length === 0) yield { path: p.join(' '), cmd: sub };
    else yield* leaves(sub, p);
  }
}

/** What `sealts PATH --help` prints, taken from the program in-process (the events add the examples). */
function helpOf(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

describe('--help', () => {
  it('every command shows at least one example that runs the command itself', () => {
    const all = [...leaves(buildProgram())];
    assert.ok(all.length >= 20, `${all.length} commands`);
    for (const { path, cmd } of all) {
      const help = helpOf(cmd);
      assert.match(help, /^Examples?:$/m, `sealts ${path} --help has no example`);
      const examples = help.slice(help.search(/^Examples?:$/m)).split('\n').slice(1).filter((l) => l.startsWith('  '));
      assert.ok(examples.some((l) => l.includes(`sealts `) && l.includes(path.split(' ').at(-1)!)), `sealts ${path}: ${examples.join(' | ')}`);
    }
  });

  it('the global flags, --quiet among them, are on every command', () => {
    for (const { path, cmd } of leaves(buildProgram())) assert.match(helpOf(cmd), /-q, --quiet/, path);
  });
});

describe('completion', () => {
  /** What bash completes for the words typed so far (the last one may be partial). */
  async function complete(words: string[]): Promise<string[]> {
    const script = join(work, 'sealts.bash');
    await writeFile(script, completionScript(buildProgram(), 'bash'));
    const line = ['sealts', ...words];
    const program = [
      `source ${script}`,
      `COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${line.length - 1}`,
      '_sealts_completion',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const { stdout } = await execFileP('bash', ['-c', program]);
    return lines(stdout);
  }

  it('bash: commands, subcommands and each one\'s flags', async () => {
    assert.deepEqual(await complete(['ce']), ['cert']);
    assert.deepEqual((await complete(['cert', ''])).sort(), ['add-san', 'check-expiration', 'generate', 'renew']);
    assert.deepEqual(await complete(['cert', 'renew', '--f']), ['--file']);
    assert.ok((await complete(['apply', '--'])).includes('--quiet'));
    assert.deepEqual(await complete(['--cluster', 'prod', 'kubeconfig', '--m']), ['--merge']);
    assert.ok((await complete([''])).includes('completion'));
  });

  it('zsh and fish scripts parse in their shells when installed; the CLI prints each', async () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const r = await sealts(['completion', shell]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /cert/);
      const path = join(work, `sealts.${shell}`);
      await writeFile(path, r.stdout);
      const has = await execFileP('sh', ['-c', `command -v ${shell}`]).then(() => true, () => false);
      if (has) await execFileP(shell, ['-n', path]);
    }
    const bad = await sealts(['completion', 'powershell']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: completion: expected bash, zsh, fish, got "powershell"$/m);
  });
});

describe('version', () => {
  it('sealts version: sealts and the default Kubernetes; -o json one document', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const versions = JSON.parse(await readFile(join(REPO, 'pkg/versions/kubernetes.json'), 'utf8')) as { default: string };
    const text = await sealts(['version']);
    assert.equal(text.stdout, `sealts ${pkg.version}\nKubernetes ${versions.default} (default)\n`);
    const json = JSON.parse((await sealts(['version', '-o', 'json'])).stdout) as { sealts: string; kubernetes: string; node: string };
    assert.deepEqual(json, { sealts: pkg.version, kubernetes: versions.default, node: process.version });
  });
});

describe('--quiet', () => {
  it('success prints nothing; an error still prints its line; -o json still prints its document', async () => {
    const bins = await fakeBinDir(['kubeadm', 'kubelet', 'kubectl', 'crictl'], 'v1.36.3');
    try {
      const loud = await sealts(['rootfs', 'build', '--bin-dir', bins, '--kubernetes-version', 'v1.36.3', '-o', join(work, 'loud')]);
      assert.equal(loud.code, 0, loud.stderr);
      assert.match(loud.stdout, /^built /);
      const quiet = await sealts(['--quiet', 'rootfs', 'build', '--bin-dir', bins, '--kubernetes-version', 'v1.36.3', '-o', join(work, 'quiet')]);
      assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
      const json = await sealts(['--output', 'json', 'rootfs', 'build', '-q', '--bin-dir', bins, '--kubernetes-version', 'v1.36.3', '-o', join(work, 'json')]);
      assert.equal((JSON.parse(json.stdout) as { image: string }).image, join(work, 'json'));
      const failed = await sealts(['-q', 'rootfs', 'build', '--bin-dir', bins, '--kubernetes-version', 'v1.36.3', '-o', join(work, 'quiet')]);
      assert.equal(failed.code, 2);
      assert.equal(failed.stdout, '');
      assert.match(failed.stderr, /^error: /);
    } finally {
      await rm(bins, { recursive: true, force: true });
    }
  });
});
