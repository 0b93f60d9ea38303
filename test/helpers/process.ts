// Small test helpers about processes and invocations, shared by the resolver tests.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Invocation } from '../../src/types.js';

/** An invocation as unwrap would hand it over for a plain argv (no wrappers, no env, stdin inherited). */
export const invocationOf = (argv: string[], env: Record<string, string> = {}): Invocation => ({
  argv,
  program: basename(argv[0]!),
  env,
  clearedEnv: false,
  unsetEnv: [],
  stdin: { kind: 'inherit' },
  wrappers: [],
  argsUnknown: false,
  dynamic: [],
  text: argv.join(' '),
});

/**
 * Has the process ended? A killed orphan stays a zombie until init reaps it (slowly in some sandboxes):
 * dead all the same.
 */
export const processGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return process.platform === 'linux';
  }
};
