// Builds the commander program: global flags, every registered command, exit codes for bad usage.
import { Command, Option } from 'commander';
import { OUTPUT_FORMATS } from '../pkg/output/format.js';
import { registrars } from './commands/index.js';
import { versionText } from './commands/version.js';

/** Global flags. No commander defaults here: globals() applies them, so a flag given before the
 *  command name is not overwritten by the same flag's default on the command (optsWithGlobals). */
function globalOptions(): Option[] {
  return [
    new Option('--cluster <name>', 'cluster to act on (default: the only one in ~/.sealts)'),
    new Option('--concurrency <n>', 'hosts worked on at the same time (default 32)'),
    new Option('--dry-run', 'say what would be done, change nothing'),
    new Option('-o, --output <format>', 'output format (default text)').choices(OUTPUT_FORMATS),
    new Option('-y, --yes', 'do not ask for confirmation'),
    new Option('-q, --quiet', 'print errors only: no progress, notes or warnings, no summary of a run that succeeded (-o json/yaml documents and asked-for output such as status stay)'),
    new Option('--debug', 'show every host command and output line, and stack traces'),
  ];
}

export function buildProgram(): Command {
  const program = new Command('sealts')
    .description('Install and run the lifecycle of Kubernetes clusters on remote Linux hosts over SSH')
    .version(versionText(), '-V, --version', "print sealts' version and the default Kubernetes version")
    // Global flags before the command name belong to the program; after it, to the command (below).
    // Without this, the program's -o would swallow a command's own -o (e.g. `rootfs build -o FILE`).
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const o of globalOptions()) program.addOption(o);
  for (const register of registrars) register(program);
  for (const leaf of leaves(program)) addGlobalsTo(leaf);
  return program;
}

function* leaves(cmd: Command): Generator<Command> {
  for (const sub of cmd.commands) {
    if (sub.commands.length === 0) yield sub;
    else yield* leaves(sub);
  }
}

/** Let global flags also follow the command name (`sealts plan -f x -o json`), unless the command uses the flag itself. */
function addGlobalsTo(cmd: Command): void {
  for (const o of globalOptions()) {
    const taken = cmd.options.some((mine) => (o.short && mine.short === o.short) || (o.long && mine.long === o.long));
    if (taken) continue;
    cmd.addOption(o.helpGroup('Global Options:'));
  }
}

/** The -o/--output a command line asks for, read without commander (for errors commander raises). */
export function outputFormatIn(argv: string[]): 'json' | 'yaml' | undefined {
  for (const [i, a] of argv.entries()) {
    if (a === '--') break;
    const v = a === '-o' || a === '--output' ? argv[i + 1] : a.startsWith('--output=') ? a.slice(9) : a.startsWith('-o') && a.length > 2 ? a.slice(2) : undefined;
    if (v === 'json' || v === 'yaml') return v;
  }
  return undefined;
}

/** The command (and subcommand) a command line names, e.g. `cert renew`; `sealts` when none. */
export function commandIn(program: Command, argv: string[]): string {
  const path: string[] = [];
  let at: Command = program;
  for (const a of argv) {
    if (a === '--') break;
    const sub = at.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) continue;
    path.push(sub.name());
    at = sub;
  }
  return path.join(' ') || 'sealts';
}
