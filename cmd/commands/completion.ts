// `sealts completion bash|zsh|fish`: the completion script for a shell, from the command tree.
import type { Command } from 'commander';
import { UserError } from '../../pkg/errors/errors.js';
import { quoted } from '../../pkg/errors/show.js';
import { writeDocument } from '../../pkg/output/document.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import { action, example, globals } from '../global.js';

export function register(program: Command): void {
  const cmd = program
    .command('completion')
    .description('print the shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(', '))
    .action(
      action(async (shell: string, _opts: unknown, c: Command) => {
        if (!(SHELLS as readonly string[]).includes(shell)) throw new UserError(`completion: expected ${SHELLS.join(', ')}, got ${quoted(shell)}`);
        const g = globals(c);
        const script = completionScript(program, shell as Shell);
        if (g.output === 'text') process.stdout.write(script);
        else writeDocument(g.output, { shell, script });
      }),
    );
  example(
    cmd,
    'source <(sealts completion bash)                 # this shell; add it to ~/.bashrc to keep it',
    'sealts completion zsh > "${fpath[1]}/_sealts"',
    'sealts completion fish > ~/.config/fish/completions/sealts.fish',
  );
}
