// commander registration of `hook install` and `hook uninstall` (subcommands of `hook`).
import type { Command } from 'commander';

type SetCode = (code: number) => void;

const scoped = (cmd: Command) =>
  cmd
    .option('--user', "the user's settings file (default)")
    .option('--project', "this project's settings file")
    .option('--system', 'the managed / system-wide settings file (root)')
    .option('--dry-run', 'print the change, write nothing');

export const registerHookInstallCommands = (hook: Command, setCode: SetCode): void => {
  scoped(hook.command('install <harness>').description("add blastgate's fail-closed hook to a harness's settings (claude-code, cursor, gemini, codex)"))
    .addHelpText('after', `
Keeps every other setting, adds blastgate's entry once, backs the file up beside itself, prints the diff.

Examples:
  $ blastgate hook install claude-code
  $ blastgate hook install cursor --project --dry-run
  $ sudo blastgate hook install claude-code --system   # /etc/claude-code/managed-settings.json`)
    .action(async (harness: string, opts: { user?: boolean; project?: boolean; system?: boolean; dryRun?: boolean }) => {
      const { runHookInstall } = await import('./hook-install.js');
      setCode(await runHookInstall(harness, opts));
    });
  scoped(hook.command('uninstall <harness>').description("remove blastgate's hook from a harness's settings (asks for the approval passphrase once one is set)"))
    .action(async (harness: string, opts: { user?: boolean; project?: boolean; system?: boolean; dryRun?: boolean }) => {
      const { runHookUninstall } = await import('./hook-install.js');
      setCode(await runHookUninstall(harness, opts));
    });
};
