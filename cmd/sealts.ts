#!/usr/bin/env node
// The sealts entry point. Exit codes: 0 ok, 1 failure on a host, 2 bad input (flags, Clusterfile, usage).
import { CommanderError } from 'commander';
import { EXIT_BAD_INPUT } from '../pkg/errors/errors.js';
import { buildProgram } from './program.js';

const OK_EXITS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its one-line message (unknown option/command, missing argument ...).
    process.exitCode = OK_EXITS.has(err.code) && err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
