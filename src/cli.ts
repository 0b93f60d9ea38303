// Entry point: the one place that turns errors into exit codes. Hot commands (check, run) are bundled
// with it and skip commander entirely.
import { runCheck } from './commands/check.js';
import { runHook } from './commands/hook.js';
import { runRun } from './commands/run.js';
import { EXIT, isBlastgateError } from './errors.js';
import { exitQuietlyOnClosedPipe } from './io/closed-pipe.js';
import type { Actor } from './types.js';

declare const BLASTGATE_VERSION: string;
export const VERSION = typeof BLASTGATE_VERSION === 'string' ? BLASTGATE_VERSION : '0.0.0-dev';

const write = (text: string) => process.stderr.write(text);

interface FastCheck {
  json: boolean;
  actor?: Actor;
  shell?: string;
  script?: string;
  argv: string[];
}

// `check` is on every hook call: parse its handful of flags by hand; anything unusual goes to commander.
const fastCheckArgs = (args: string[]): FastCheck | null => {
  const out: FastCheck = { json: false, argv: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => (i + 1 < args.length ? args[++i]! : null);
    if (a === '--') return { ...out, argv: args.slice(i + 1) };
    if (a === '--json') out.json = true;
    else if (a === '--actor' || a.startsWith('--actor=')) {
      const v = a === '--actor' ? value() : a.slice(8);
      if (v !== 'human' && v !== 'agent') return null;
      out.actor = v;
    } else if (a === '--shell') {
      const v = value();
      if (v === null) return null;
      out.shell = v;
    } else if (a === '--script') {
      const v = value();
      if (v === null) return null;
      out.script = v;
    } else return null;
  }
  return out;
};

const dispatch = async (given: string[]): Promise<number> => {
  // `-v` as most CLIs read it (commander knows only -V).
  const args = given.length === 1 && given[0] === '-v' ? ['--version'] : given;
  // `run` is what every shim execs: straight to the command, everything after `--` belongs to the tool.
  if (args[0] === 'run' && args[1] !== undefined && (args[1] === '--' || args[1] === '--answer-fd' || args[1] === '--node-options' || !args[1].startsWith('-'))) {
    return runRun(args.slice(1));
  }
  // Agent harnesses call this before every shell command: bundled with the entry, no commander.
  if (args[0] === 'hook' && args.length === 2 && !args[1]!.startsWith('-')) return runHook(args[1]!);
  if (args[0] === 'check') {
    const fast = fastCheckArgs(args.slice(1));
    if (fast) return runCheck(fast);
  }
  const { buildProgram } = await import('./program.js');
  let code = 0;
  const program = buildProgram(VERSION, (c) => (code = c));
  await program.parseAsync(args, { from: 'user' });
  return code;
};

export const main = async (args: string[]): Promise<number> => {
  // Not for `run`: its stdout belongs to the tool, and touching process.stdout would open a handle on it.
  if (args[0] !== 'run') exitQuietlyOnClosedPipe();
  try {
    return await dispatch(args);
  } catch (err) {
    if (isBlastgateError(err)) {
      if (err.message) write(`blastgate: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as { code?: string; exitCode?: number; message?: string };
    // commander's own exits (help, version, usage errors) arrive as CommanderError.
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT.usage;
    }
    // The system refused a file operation (EACCES, ENOSPC, EROFS on a state or config dir): not our bug.
    // One line; a command that was to run is refused (77), anything else is an environment error (2).
    const sys = err as NodeJS.ErrnoException;
    if (typeof sys.syscall === 'string' && typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code)) {
      write(`blastgate: ${sys.message.replace(/\s+/g, ' ')}${args[0] === 'run' ? ' (nothing was run)' : ''}\n`);
      return args[0] === 'run' ? EXIT.blocked : EXIT.usage;
    }
    write(`blastgate: internal error: ${(err as Error)?.stack ?? String(err)}\nPlease report this with the command you ran.\n`);
    return EXIT.internal;
  }
};
