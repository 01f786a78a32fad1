// known_hosts reading checked against OpenSSH's own tools: hashed entries made by `ssh-keygen -H`,
// fingerprints as `ssh-keygen -l` prints them, ports, wildcards, negation, @revoked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fingerprint, judgeHostKey, knownKeysFor, patternsMatch, recordHostKey } from '../../pkg/ssh/known-hosts.js';

async function newKey(dir: string, name: string): Promise<{ type: string; b64: string; blob: Buffer }> {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const [type, b64] = (await readFile(`${file}.pub`, 'utf8')).split(' ');
  return { type: type!, b64: b64!, blob: Buffer.from(b64!, 'base64') };
}

test('fingerprints match ssh-keygen -l', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-kh-'));
  try {
    const k = await newKey(dir, 'k');
    const want = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
    assert.equal(fingerprint(k.blob), want);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('plain, [host]:port, wildcard, negated and hashed (ssh-keygen -H) entries', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-kh-'));
  try {
    const a = await newKey(dir, 'a');
    const b = await newKey(dir, 'b');
    const c = await newKey(dir, 'c');
    const file = path.join(dir, 'known_hosts');
    await writeFile(
      file,
      [
        '# comment',
        `10.0.0.1,host-a ${a.type} ${a.b64}`,
        `[10.0.0.2]:2222 ${b.type} ${b.b64}`,
        `10.1.* ,!10.1.0.9 ${c.type} ${c.b64}`.replace(' ,', ','),
        `@cert-authority * ${c.type} ${c.b64}`,
        '',
      ].join('\n'),
    );
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'pipe' });
    const hashed = await readFile(file, 'utf8');
    assert.match(hashed, /^\|1\|/m, 'ssh-keygen hashed the names');
    assert.doesNotMatch(hashed, /10\.0\.0\.1/);

    assert.deepEqual((await knownKeysFor([file], '10.0.0.1', 22)).map((k) => k.blob.toString('base64')), [a.b64]);
    assert.equal((await knownKeysFor([file], '10.0.0.2', 22)).length, 0, 'port 22 is not port 2222');
    assert.deepEqual((await knownKeysFor([file], '10.0.0.2', 2222)).map((k) => k.blob.toString('base64')), [b.b64]);
    assert.equal((await knownKeysFor([file], '10.1.2.3', 22)).length, 1, 'wildcard');
    assert.equal((await knownKeysFor([file, path.join(dir, 'missing')], '10.1.0.9', 22)).length, 0, 'negated; missing files are fine');
    assert.equal(patternsMatch('10.1.*,!10.1.0.9', '10.1.0.9'), false);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('verdicts: known, unknown, changed (names both fingerprints), revoked; TOFU appends a line', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sealts-kh-'));
  try {
    const a = await newKey(dir, 'a');
    const b = await newKey(dir, 'b');
    const file = path.join(dir, 'sub', 'known_hosts');
    assert.equal(judgeHostKey(await knownKeysFor([file], '10.0.0.5', 22), a.blob).kind, 'unknown');
    await recordHostKey(file, '10.0.0.5', 22, a.blob);
    await recordHostKey(file, '10.0.0.6', 2200, b.blob);
    assert.equal(await readFile(file, 'utf8'), `10.0.0.5 ${a.type} ${a.b64}\n[10.0.0.6]:2200 ${b.type} ${b.b64}\n`);
    const known = await knownKeysFor([file], '10.0.0.5', 22);
    assert.equal(judgeHostKey(known, a.blob).kind, 'known');
    const changed = judgeHostKey(known, b.blob);
    assert.equal(changed.kind, 'changed');
    await writeFile(file, `@revoked 10.0.0.5 ${a.type} ${a.b64}\n`, { flag: 'a' });
    assert.equal(judgeHostKey(await knownKeysFor([file], '10.0.0.5', 22), a.blob).kind, 'revoked');
  } finally {
    await rm(dir, { recursive: true });
  }
});
