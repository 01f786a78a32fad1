// Ask before destroying: on a terminal a y/N question; without one, refuse unless --yes was given.
import { createInterface } from 'node:readline/promises';
import { UserError } from '../errors/errors.js';

export interface ConfirmOptions {
  yes: boolean;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Resolves when confirmed; throws UserError (exit 2) when refused or when nobody can be asked. */
export async function confirm(question: string, opts: ConfirmOptions): Promise<void> {
  if (opts.yes) return;
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stderr;
  if (!input.isTTY) {
    throw new UserError(`${question.replace(/\?$/, '')}: refusing without confirmation (stdin is not a terminal); pass --yes`);
  }
  const rl = createInterface({ input, output });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new UserError('aborted: not confirmed');
  } finally {
    rl.close();
  }
}
