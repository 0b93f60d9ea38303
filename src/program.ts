// commander wiring for every subcommand; each action lazily imports its command module.
import { Command, Option } from 'commander';
import { registerApprovalCommands } from './commands/register-approvals.js';
import { registerSandboxCommand } from './commands/register-sandbox.js';
import { registerHookInstallCommands } from './commands/register-hook-install.js';
import { registerShimCommands } from './commands/register-shims.js';

type SetCode = (code: number) => void;

const actorOption = () =>
  new Option('--actor <who>', 'judge as if the caller were a human or an agent (agent only tightens)').choices(['human', 'agent']);

// `blastgate check rm -rf /`: commander reads -rf as blastgate's own option; say how to pass it on.
const dashDashHint = (name: string) => (str: string, write: (s: string) => void) => {
  const text = str.replace(/^error: /, '').trimEnd();
  write(`blastgate: ${text}${/unknown option/.test(text) ? `; put the command to judge after --: blastgate ${name} -- <command …>` : ''}\n`);
};

const checkLike = (cmd: Command, explain: boolean, setCode: SetCode) =>
  cmd
    .configureOutput({ outputError: dashDashHint(explain ? 'explain' : 'check') })
    .argument('[argv...]', 'the command to judge, after --')
    .option('--json', 'print one JSON object (see README: Exit codes and JSON)')
    .addOption(actorOption())
    .option('--shell <line>', 'judge a whole shell command line (pipelines, &&, $(…), heredocs…)')
    .option('--script <file>', 'judge every command in a shell script (- for stdin)')
    .action(async (argv: string[], opts: { json?: boolean; actor?: 'human' | 'agent'; shell?: string; script?: string }) => {
      const { runCheck } = await import('./commands/check.js');
      setCode(await runCheck({ argv, ...opts, explain }));
    });

export const buildProgram = (version: string, setCode: SetCode): Command => {
  const program = new Command('blastgate')
    .description('Stops destructive infrastructure commands until a human confirms, showing the blast radius first.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`blastgate: ${str.replace(/^error: /, '')}`) })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ blastgate check -- terraform -chdir=infra destroy -auto-approve   # exit 10: needs confirmation
  $ blastgate check --json --shell "psql -c 'DROP TABLE orders'"
  $ blastgate check --script deploy.sh
  $ blastgate explain --shell "sudo env TF_CLI_ARGS_apply=-destroy terraform apply"
  $ blastgate rules list

Exit codes (check): 0 allow, 10 confirm needed, 11 deny, 2 usage or config error.`,
    );

  checkLike(
    program.command('check').description('print the verdict for a command without running it (exit 0 allow, 10 confirm, 11 deny)'),
    false,
    setCode,
  ).addHelpText('after', `
Examples:
  $ blastgate check -- terraform destroy
  $ blastgate check --actor agent --json -- railway volume delete --volume pgdata
  $ blastgate check --shell 'cat drop.sql | psql "$DATABASE_URL"'`);

  checkLike(
    program.command('explain').description('show how a verdict was reached: tokens, unwrapping, rules, target, decision'),
    true,
    setCode,
  );

  const rules = program.command('rules').description('list, show and test rulesets');
  rules
    .command('list')
    .description('every loaded rule with its severity and origin (--tools: each guarded tool with its rule count)')
    .option('--json', 'machine-readable')
    .option('--tools', 'one line per tool: rule count and the programs it guards')
    .action(async (opts: { json?: boolean; tools?: boolean }) => {
      const { rulesList } = await import('./commands/rules.js');
      setCode(await rulesList(opts));
    });
  rules
    .command('show <id>')
    .description('one rule: message, match conditions, examples')
    .action(async (id: string) => {
      const { rulesShow } = await import('./commands/rules.js');
      setCode(await rulesShow(id));
    });
  rules
    .command('test [file]')
    .description("run every rule's examples (a rules file of your own, or all loaded rulesets)")
    .action(async (file: string | undefined) => {
      const { rulesTest } = await import('./commands/rules.js');
      setCode(await rulesTest(file));
    });

  const hook = program
    .command('hook')
    .argument('<harness>', 'claude-code, cursor, gemini or codex')
    .description('answer an agent harness\'s pre-tool-use hook on stdin/stdout (claude-code, cursor, gemini, codex)')
    .addHelpText('after', '\nSet it up with `blastgate hook install <harness>`; see README "Agent hooks".')
    .action(async (harness: string) => {
      const { runHook } = await import('./commands/hook.js');
      setCode(await runHook(harness));
    });
  registerHookInstallCommands(hook, setCode);

  registerShimCommands(program, setCode);
  registerApprovalCommands(program, setCode);
  registerSandboxCommand(program, setCode);
  return program;
};
