#!/usr/bin/env node
// The sealts entry point. Exit codes: 0 ok, 1 failure on a host, 2 bad input (flags, Clusterfile, usage).
import { CommanderError } from 'commander';
import { EXIT_BAD_INPUT } from '../pkg/errors/errors.js';
import { errorDocument, writeDocument } from '../pkg/output/document.js';
import { exitCodeOf, interruptedBy } from '../pkg/phase/interrupt.js';
import { buildProgram, commandIn, outputFormatIn } from './program.js';

const OK_EXITS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its one-line message (unknown option/command, missing argument ...).
    const ok = OK_EXITS.has(err.code) && err.exitCode === 0;
    process.exitCode = ok ? 0 : EXIT_BAD_INPUT;
    // Bad usage is bad input too: with -o json/yaml it still gets its one document.
    const format = outputFormatIn(process.argv.slice(2));
    if (!ok && format) {
      const message = err.message.replace(/^error: /, '');
      writeDocument(format, { ...errorDocument(commandIn(program, process.argv.slice(2)), new Error(message)), exitCode: EXIT_BAD_INPUT });
    }
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
// Interrupted: the summary, the logs and the lock are taken care of; work abandoned on the hosts
// must not keep the process alive.
const signal = interruptedBy();
if (signal) process.exit(exitCodeOf(signal));

