// Secrets (passwords, passphrases, sudo and bastion passwords) never reach rendered output,
// JSON, or error messages; they are shown only when a caller explicitly asks to reveal them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../pkg/errors/errors.js';
import { renderClusterfile } from '../../pkg/clusterfile/index.js';
import { clusterfile, parse } from './helpers.js';

const SECRETS = ['Passw0rd-root', 'Key-phrase-9', 'Sudo-secret-7', 'Jump-pass-3', 'Group-pass-5', 'Env-pass-1'];

const TEXT = clusterfile(`  image: ../rootfs
  ssh:
    user: ops
    passwd: ${SECRETS[0]}
    pk: ~/.ssh/id_rsa
    pkPasswd: ${SECRETS[1]}
    sudoPasswd: ${SECRETS[2]}
    bastion: {host: 198.18.0.2, passwd: ${SECRETS[3]}}
  hosts:
    - {ips: [198.18.0.11], roles: [master]}
    - {ips: [198.18.0.12], roles: [node], ssh: {passwd: ${SECRETS[4]}}}
    - {ips: [198.18.0.13], roles: [node], ssh: {passwdFromEnv: CF_SECRET_TEST}}
`);
const ENV = { CF_SECRET_TEST: SECRETS[5] };

function assertNoSecret(text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `secret ${s} leaked into:\n${text}`);
}

test('renderClusterfile redacts every secret, JSON too', () => {
  const c = parse(TEXT, ENV);
  const out = renderClusterfile(c);
  assertNoSecret(out);
  assert.equal(out.match(/\[redacted\]/g)?.length, 6);
  assertNoSecret(JSON.stringify(c));
});

test('revealSecrets shows them (for the 0600 state copy only)', () => {
  const out = renderClusterfile(parse(TEXT, ENV), { revealSecrets: true });
  for (const s of SECRETS) assert.ok(out.includes(s), s);
});

test('a rendered (redacted) file is refused back instead of using "[redacted]" as a password', () => {
  const redacted = renderClusterfile(parse(TEXT, ENV));
  assert.throws(
    () => parse(redacted, ENV),
    (e: unknown) => e instanceof UserError && e.details.length === 6 && e.details.every((d) => d.includes('is the placeholder printed instead of a secret')),
  );
});

test('error messages never carry a secret, even next to other problems', () => {
  const broken = TEXT.replace('user: ops', 'user: [ops]').replace('198.18.0.13', '198.18.0.999');
  try {
    parse(broken, ENV);
    assert.fail('expected a UserError');
  } catch (e) {
    assert.ok(e instanceof UserError);
    assertNoSecret([e.message, ...e.details].join('\n'));
    assert.equal(e.details.length, 2);
  }
});

test('a secret written where a list belongs is described, not echoed', () => {
  try {
    parse(TEXT.replace(`passwd: ${SECRETS[0]}`, `passwd: [${SECRETS[0]}]`), ENV);
    assert.fail('expected a UserError');
  } catch (e) {
    assert.ok(e instanceof UserError);
    assert.deepEqual(e.details, ['good.yaml:9:13: spec.ssh.passwd: expected a string, got a list']);
  }
});
