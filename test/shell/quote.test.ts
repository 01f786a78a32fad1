// pkg/shell without hosts: every hostile value survives a real POSIX shell (dash and bash) verbatim.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { and, literal, or, pipe, quote, redirect, sh, withEnv } from '../../pkg/shell/quote.js';

const HOSTILE = [
  '; rm -rf /', '$(id)', '`id`', "it's", '"dq"', "'", "''", '\\', 'a\nb', '\n', '$HOME', '${PATH}', '*', '?', '[a]',
  '~', '&&', '||', '|', '>', '<', '2>&1', '-n', '--', '', ' ', '\t', 'ünïcødé 日本 🚀', '\u202e', '!', '#', '%', 'x=y', '\r',
];

function run(shell: string, line: string): string[] {
  const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

for (const shell of ['/bin/sh', '/bin/bash']) {
  test(`${shell}: hostile values are passed verbatim in every position`, () => {
    assert.deepEqual(run(shell, sh(['printf', '%s\\0', ...HOSTILE])), HOSTILE);
    for (const v of HOSTILE) assert.deepEqual(run(shell, sh(['printf', '%s\\0', v, v])), [v, v], JSON.stringify(v));
  });

  test(`${shell}: env values, nested sh -c and redirects keep values intact`, () => {
    for (const v of HOSTILE) {
      const inner = sh(['printf', '%s\\0', v]);
      assert.deepEqual(run(shell, withEnv({ V: v }, ['sh', '-c', 'printf "%s\\0" "$V"'])), [v], JSON.stringify(v));
      assert.deepEqual(run(shell, sh(['sh', '-c', sh(['sh', '-c', inner])])), [v], JSON.stringify(v));
    }
  });
}

test('a program name that a shell could misread is quoted', () => {
  assert.equal(sh(['-n']), "'-n'");
  assert.equal(sh(['x=y', 'x=y']), "'x=y' x=y");
  assert.equal(sh(['ls', '-la']), 'ls -la');
  // bash -c "'-n'" runs a command named -n (not found), never an option of bash
  assert.throws(() => execFileSync('/bin/bash', ['-c', sh(['-n'])], { stdio: 'pipe' }), /Command failed/);
});

test('quote leaves safe words bare and single-quotes the rest', () => {
  assert.equal(quote('abc/def-1.2:3'), 'abc/def-1.2:3');
  assert.equal(quote(''), "''");
  assert.equal(quote("a'b"), "'a'\\''b'");
});

test('combinators and redirect quote file names', () => {
  assert.equal(and(sh(['true']), sh(['echo', 'a b'])), "true && echo 'a b'");
  assert.equal(or(sh(['false']), sh(['true'])), '{ false; } || { true; }');
  // a && (b || c): a failing stops it; sh alone would read `a && b || c` as (a && b) || c
  const nested = and(sh(['false']), or(sh(['echo', 'b']), sh(['echo', 'c'])));
  assert.equal(nested, 'false && { { echo b; } || { echo c; }; }');
  assert.equal(spawnSync('sh', ['-c', nested]).status, 1);
  assert.equal(spawnSync('sh', ['-c', and(sh(['true']), or(sh(['false']), sh(['echo', 'c'])))]).stdout.toString(), 'c\n');
  // operators inside a quoted argument are data: no braces
  assert.equal(and(sh(['echo', 'a && b']), sh(['true'])), "echo 'a && b' && true");
  assert.equal(pipe(sh(['echo', 'x']), sh(['cat'])), 'echo x | cat');
  assert.equal(redirect(sh(['echo']), '/tmp/a b', true), "echo >> '/tmp/a b'");
  assert.throws(() => withEnv({ 'A;B': 'x' }, ['true']), /invalid environment variable name/);
  assert.throws(() => sh([]), /empty argv/);
  assert.equal(literal('set -e'), 'set -e');
});
