// commander registration of the shim-lifecycle commands: run, init, shims, doctor, uninstall.
// Each action imports its module only when it runs (the hot `run -- …` path never gets here: cli.ts).
import type { Command } from 'commander';

type SetCode = (code: number) => void;

export const registerShimCommands = (program: Command, setCode: SetCode): void => {
  program
    .command('run')
    .description('check a command, confirm if needed, then run the real tool (what every shim calls)')
    // Only `run --help` and mistakes reach commander: `run -- tool …` is dispatched in cli.ts.
    .argument('<command...>', 'the tool and its arguments, after --')
    .addHelpText('after', `
Everything after -- goes to the tool untouched (blastgate run -- terraform --help shows terraform's help).
Exit codes: the tool's own; 77 refused (one "blastgate:" line on stderr); 127 no real binary on PATH.

Examples:
  $ blastgate run -- terraform plan
  $ blastgate run -- psql -c 'DROP TABLE orders'   # exit 77 unless confirmed`)
    .action(async (argv: string[]) => {
      const { runRun } = await import('./run.js');
      setCode(await runRun(['--', ...argv]));
    });

  program
    .command('init')
    .description('write shims for the guarded tools and put them first on PATH (bash, zsh, fish)')
    .option('--dir <dir>', 'shim dir (default: $XDG_DATA_HOME/blastgate/shims)')
    .option('--tools <list>', 'comma-separated tools to shim (default: every guarded tool, installed or not)')
    .option('--installed-only', 'only the guarded tools installed now (one installed later runs unguarded until `shims rehash`)')
    .option('--all', 'shim every guarded tool, installed or not (the default)')
    .option('--shell <list>', 'comma-separated shells to set up: bash, zsh, fish (default: detected)')
    .option('-y, --yes', 'write the shims and edit the shell rc files without asking')
    .option('--no-shell-rc', 'write the shims, only print the rc-file lines')
    .option('--system', 'root: shims in /usr/local/lib/blastgate/shims for every user, login-shell PATH, sudo secure_path, locked /etc/blastgate policy, system key, append-only audit log')
    .addHelpText('after', `
Examples:
  $ blastgate init                       # shows the plan, asks before writing anything
  $ blastgate init --yes --tools terraform,psql
  $ blastgate init --no-shell-rc --dir /usr/local/lib/blastgate/shims`)
    .action(async (opts: { dir?: string; tools?: string; all?: boolean; installedOnly?: boolean; shell?: string; yes?: boolean; shellRc?: boolean; system?: boolean }) => {
      if (opts.system) {
        const { runInitSystem } = await import('./init-system.js');
        return setCode(await runInitSystem(opts));
      }
      const { runInit } = await import('./init.js');
      setCode(await runInit(opts));
    });

  const shims = program.command('shims').description('list, regenerate or remove the shims');
  shims
    .command('list')
    .description('each shim: current or outdated, and the real binary it runs')
    .option('--dir <dir>', 'shim dir')
    .option('--json', 'machine-readable')
    .action(async (opts: { dir?: string; json?: boolean }) => {
      const { shimsList } = await import('./shims.js');
      setCode(await shimsList(opts));
    });
  shims
    .command('rehash')
    .description('regenerate the shims after installing tools or changing rules')
    .option('--dir <dir>', 'shim dir')
    .action(async (opts: { dir?: string }) => {
      const { shimsRehash } = await import('./shims.js');
      setCode(await shimsRehash(opts));
    });
  shims
    .command('remove [tools...]')
    .description('remove the named shims, or all of them (rc files are left alone; see uninstall)')
    .option('--dir <dir>', 'shim dir')
    .action(async (tools: string[], opts: { dir?: string }) => {
      const { shimsRemove } = await import('./shims.js');
      setCode(await shimsRemove(tools, opts));
    });

  program
    .command('doctor')
    .description('check that the shims really stand in front of the tools; each problem with its fix')
    .option('--dir <dir>', 'shim dir')
    .option('--json', 'one JSON object: {ok, dir, checks:[{id, status, message, fix}]}')
    .option('--sandbox', 'check `blastgate sandbox` instead: bubblewrap, user namespaces, what would be covered and masked')
    .action(async (opts: { dir?: string; json?: boolean; sandbox?: boolean }) => {
      const { runDoctor } = await import('./doctor.js');
      setCode(await runDoctor(opts));
    });

  program
    .command('uninstall')
    .description('remove the shims and the rc-file lines init added (config, rules and logs stay)')
    .option('--dir <dir>', 'shim dir')
    .option('--system', 'root: remove exactly what `init --system` wrote (its manifest)')
    .action(async (opts: { dir?: string; system?: boolean }) => {
      if (opts.system) {
        const { runUninstallSystem } = await import('./uninstall-system.js');
        return setCode(await runUninstallSystem());
      }
      const { runUninstall } = await import('./uninstall.js');
      setCode(await runUninstall(opts));
    });
};
