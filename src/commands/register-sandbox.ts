// commander registration of `blastgate sandbox`.
import type { Command } from 'commander';

export const registerSandboxCommand = (program: Command, setCode: (code: number) => void): void => {
  program
    .command('sandbox')
    .description('run an agent in a bubblewrap jail where every guarded tool goes through blastgate and credentials are placeholders')
    .argument('<command...>', 'the agent and its arguments, after --')
    .option('--profile <name|file>', 'built-in profile (claude, codex, gemini, cursor-agent, generic) or a YAML file')
    .option('--workspace <dir>', 'the one writable directory (default: the current directory)')
    .addHelpText('after', `
Examples:
  $ blastgate sandbox -- claude
  $ blastgate sandbox --profile codex --workspace ~/src/shop -- codex
  $ blastgate sandbox -- bash

Exit: the agent's exit code; 2 when the sandbox cannot start here (no bubblewrap or user namespaces).`)
    .action(async (command: string[], opts: { profile?: string; workspace?: string }) => {
      const { runSandbox } = await import('./sandbox.js');
      setCode(await runSandbox({ command, ...opts }));
    });
};
