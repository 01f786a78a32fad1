// The fleet's keys must load: ssh2's generator now and then writes an ed25519 key that neither ssh2
// nor ssh-keygen accepts (~1 in 400), which made a random fleet's SSH logins fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ssh2 from 'ssh2';
import { newKeyPair } from './template.js';

test('newKeyPair only returns keys that parse back (2000 ed25519 tries: a 1-in-400 fault shows with 99% odds)', () => {
  for (let i = 0; i < 2000; i++) {
    const k = newKeyPair(i < 1990 ? 'ed25519' : 'ecdsa', `key-${i}`);
    const parsed = ssh2.utils.parseKey(k.private);
    assert.ok(!(parsed instanceof Error), `key ${i}: ${parsed instanceof Error ? parsed.message : ''}`);
  }
});
