// The ONE place that turns argv into text for a remote POSIX shell.
// Every command sealts sends to a host is a `ShellCommand`, and the only ways to make one are
// the functions below; no other module may build shell strings (docs/DESIGN.md, "Rules of thumb").

/** Shell text known to be built by this module. The brand stops raw strings from reaching a host. */
export type ShellCommand = string & { readonly __shellCommand: unique symbol };

/** Characters that never need quoting in a POSIX shell word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quote one argument so a POSIX shell passes it through verbatim.
 * Single quotes keep every byte literal; an embedded `'` becomes `'\''`.
 */
export function quote(arg: string): string {
  if (arg.length > 0 && SAFE.test(arg)) return arg;
  return singleQuote(arg);
}

function singleQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Build a command line from argv: each element reaches the remote program as exactly one argument. */
export function sh(argv: readonly string[]): ShellCommand {
  if (argv.length === 0) throw new Error('sh: empty argv');
  // The program name is always quoted when it could mean something else unquoted: `-x` (sshd runs
  // `$SHELL -c <command line>`, which would read it as an option) and `a=b` (an assignment).
  const [first, ...rest] = argv;
  const head = first!.startsWith('-') || first!.includes('=') ? singleQuote(first!) : quote(first!);
  return [head, ...rest.map(quote)].join(' ') as ShellCommand;
}

/** `a && b && ...` over commands built here. */
export function and(...cmds: ShellCommand[]): ShellCommand {
  // In sh `&&` and `||` bind equally, left to right: `a && { b; } || { c; }` would run c when a
  // fails. An operand that is itself a list is braced, so and(a, or(b, c)) means a && (b || c).
  return cmds.map((c) => (/[|&;]/.test(unquoted(c)) ? `{ ${c}; }` : c)).join(' && ') as ShellCommand;
}

/** The command text outside single-quoted strings (operators inside quotes are data, not syntax). */
function unquoted(c: string): string {
  return c.replace(/'[^']*'/g, "''");
}

/** `a || b || ...` over commands built here. */
export function or(...cmds: ShellCommand[]): ShellCommand {
  return cmds.map((c) => `{ ${c}; }`).join(' || ') as ShellCommand;
}

/** `a | b | ...` over commands built here. */
export function pipe(...cmds: ShellCommand[]): ShellCommand {
  return cmds.join(' | ') as ShellCommand;
}

/** `cmd > file` / `cmd >> file` with the file name quoted. */
export function redirect(cmd: ShellCommand, file: string, append = false): ShellCommand {
  return `${cmd} ${append ? '>>' : '>'} ${quote(file)}` as ShellCommand;
}

/** `env K=V ... argv`: the environment passed as quoted assignments, never interpolated. */
export function withEnv(env: Readonly<Record<string, string>>, argv: readonly string[]): ShellCommand {
  const names = Object.keys(env);
  for (const n of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`invalid environment variable name: ${JSON.stringify(n)}`);
  }
  if (names.length === 0) return sh(argv);
  return sh(['env', ...names.map((n) => `${n}=${env[n]}`), ...argv]);
}

/**
 * Fixed shell text written in sealts' own source (a constant script with no interpolated values).
 * Anything that carries a value from input must go through `sh()` instead.
 */
export function literal(script: string): ShellCommand {
  return script as ShellCommand;
}
