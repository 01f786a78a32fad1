// Asking for a password on the terminal without echoing it (never from argv).
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { UserError } from '../errors/errors.js';
import { Secret } from '../secret/secret.js';

export async function promptSecret(question: string): Promise<Secret> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UserError('a password is needed but there is no terminal to ask on; use --passwd-env VAR');
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      muted = true;
    });
    process.stderr.write('\n');
    return new Secret(answer);
  } finally {
    rl.close();
  }
}
