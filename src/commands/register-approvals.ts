// commander registration of the confirmation commands: approve, deny, pending, passphrase, log.
import type { Command } from 'commander';

export const registerApprovalCommands = (program: Command, setCode: (code: number) => void): void => {
  program
    .command('approve <id>')
    .description('approve a pending request: shows its blast radius, asks for the approval passphrase on your terminal')
    .addHelpText('after', '\nRun it in your own terminal, never from an agent. The approval is bound to the exact command,\ndirectory and target, expires (policy approval.ttl, default 600 s) and is used once.')
    .action(async (id: string) => {
      const { runApprove } = await import('./approve.js');
      setCode(await runApprove({ id }));
    });

  program
    .command('deny <id>')
    .description('refuse a pending request; the waiting command stops with exit 77')
    .action(async (id: string) => {
      const { runDeny } = await import('./deny.js');
      setCode(await runDeny({ id }));
    });

  program
    .command('pending')
    .description('list requests waiting for a human approval')
    .option('--json', 'machine-readable')
    .action(async (opts: { json?: boolean }) => {
      const { runPending } = await import('./pending.js');
      setCode(await runPending(opts));
    });

  const passphrase = program.command('passphrase').description('set or change the approval passphrase (typed on your terminal only)');
  for (const action of ['set', 'change'] as const) {
    passphrase
      .command(action)
      .description(action === 'set' ? 'set the approval passphrase for the first time' : 'change it (asks for the current one first)')
      .option('--system', 'write the system key (/etc/blastgate; needs root) — when present it is the only key accepted')
      .action(async (opts: { system?: boolean }) => {
        const { runPassphrase } = await import('./passphrase.js');
        setCode(await runPassphrase({ action, system: opts.system }));
      });
  }

  const policy = program.command('policy').description('sign the user policy so that what it loosens applies (passphrase on your terminal)');
  policy
    .command('sign [file]')
    .description('sign the user config (default ~/.config/blastgate/config.yaml): unsigned, it may only tighten')
    .action(async (file: string | undefined) => {
      const { runPolicySign } = await import('./policy.js');
      setCode(await runPolicySign({ file }));
    });
  policy
    .command('edit [file]')
    .description('open the user config in $EDITOR, then sign it')
    .action(async (file: string | undefined) => {
      const { runPolicyEdit } = await import('./policy.js');
      setCode(await runPolicyEdit({ file }));
    });

  program
    .command('log')
    .description('show the audit log (who ran what, the decision, the exit code), or verify its hash chain')
    .option('--json', 'one JSON record per line')
    .option('--since <when>', 'only records newer than a duration (30m, 1h, 2d) or a date')
    .option('--tool <name>', 'only records for this tool')
    .option('--verify', 'check the hash chain; report the first broken or missing link and exit 1')
    .addHelpText('after', '\nExamples:\n  $ blastgate log --since 1h --tool terraform\n  $ blastgate log --json | jq .decision\n  $ blastgate log --verify')
    .action(async (opts: { json?: boolean; since?: string; tool?: string; verify?: boolean }) => {
      const { runLog } = await import('./log.js');
      setCode(await runLog(opts));
    });
};
