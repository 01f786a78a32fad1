// Shell completion scripts generated from the commander tree itself, so they list exactly the
// commands, subcommands and flags this build has. bash and fish get their own; zsh runs the bash
// one through bashcompinit, as many CLIs do.
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** "" for the program, "cert renew" for a subcommand. */
  path: string;
  cmd: Command;
}

function nodes(program: Command): Node[] {
  const out: Node[] = [{ path: '', cmd: program }];
  const walk = (c: Command, prefix: string) => {
    for (const sub of c.commands) {
      const path = prefix ? `${prefix} ${sub.name()}` : sub.name();
      out.push({ path, cmd: sub });
      walk(sub, path);
    }
  };
  walk(program, '');
  return out;
}

const flagsOf = (c: Command) => [...c.options.flatMap((o: Option) => [o.long, o.short].filter((f): f is string => Boolean(f))), '--help'];
/** Safe inside single quotes in every shell. */
const sq = (s: string) => s.replace(/'/g, '’');

export function completionScript(program: Command, shell: Shell): string {
  const name = program.name();
  if (shell === 'fish') return fishScript(program, name);
  const bash = bashScript(program, name);
  return shell === 'bash' ? bash : `# zsh: the bash completion through bashcompinit\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

function bashScript(program: Command, name: string): string {
  const all = nodes(program);
  const fn = `_${name}_completion`;
  const subs = all.map((n) => `    '${n.path}') echo '${n.cmd.commands.map((c) => c.name()).join(' ')}' ;;`);
  const opts = all.map((n) => `    '${n.path}') echo '${flagsOf(n.cmd).join(' ')}' ;;`);
  return `# ${name} completion for bash: source <(${name} completion bash)
${fn}_subs() {
  case "$1" in
${subs.join('\n')}
  esac
}
${fn}_opts() {
  case "$1" in
${opts.join('\n')}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w subs
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    [[ "$w" == -* ]] && continue
    subs=" $(${fn}_subs "$path") "
    [[ "$subs" == *" $w "* ]] && path="\${path:+$path }$w"
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_opts "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_subs "$path")" -- "$cur"))
  fi
}
complete -o default -F ${fn} ${name}
`;
}

function fishScript(program: Command, name: string): string {
  const lines = [`# ${name} completion for fish: ${name} completion fish | source`, `complete -c ${name} -f`];
  for (const n of nodes(program)) {
    const words = n.path ? n.path.split(' ') : [];
    // fish: the subcommands are offered once every word of the path is on the line, and no child yet.
    const children = n.cmd.commands.map((c) => c.name());
    const cond = words.length === 0 ? `__fish_use_subcommand` : `__fish_seen_subcommand_from ${words[words.length - 1]}`;
    const notYet = children.length > 0 ? `; and not __fish_seen_subcommand_from ${children.join(' ')}` : '';
    for (const c of n.cmd.commands) lines.push(`complete -c ${name} -n '${cond}${notYet}' -a ${c.name()} -d '${sq(c.description())}'`);
    for (const o of n.cmd.options) {
      const parts = [`complete -c ${name} -n '${cond}'`];
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      if (o.required || o.optional) parts.push('-r -F');
      parts.push(`-d '${sq(o.description)}'`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}
