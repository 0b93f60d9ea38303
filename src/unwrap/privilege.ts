// Running as another user: `sudo`, `doas`, `su -c`, `runuser`. The command after them is the one that runs.
import { splitAssignment } from '../parse/words.js';
import { has, isOutcome, optionsOrUnknown, readOptions, type OptionSpec } from './options.js';
import { drop, isAssignment, type Handler, type Outcome } from './state.js';

const SUDO: OptionSpec = {
  flags: 'AbBEeHiKklNnPSsVv',
  values: 'aCcDgpRrTtUu',
  optional: 'h',
  longFlags: ['askpass', 'background', 'bell', 'edit', 'set-home', 'help', 'login', 'remove-timestamp',
    'reset-timestamp', 'list', 'no-update', 'non-interactive', 'preserve-groups', 'stdin', 'shell', 'version', 'validate'],
  longValues: ['auth-type', 'close-from', 'login-class', 'chdir', 'group', 'host', 'prompt', 'chroot', 'role',
    'type', 'command-timeout', 'other-user', 'user'],
  longOptional: ['preserve-env'],
};

/** Options that list, validate, edit or print instead of running the command. */
const SUDO_NO_RUN = ['-l', '--list', '-v', '--validate', '-V', '--version', '-K', '--remove-timestamp', '-e', '--edit', '--help'];

export const sudo: Handler = (state) => {
  const read = optionsOrUnknown(state, SUDO);
  if (isOutcome(read)) return read;
  if (has(read, ...SUDO_NO_RUN) || read.options.some((o) => o.name === '-h' && o.value === undefined)) return { kind: 'final' };
  let next = read.next;
  while (next < state.argv.length && isAssignment(state, next)) {
    const [key, value] = splitAssignment(state.argv[next]!);
    state.env = { ...state.env, [key]: value };
    next++;
  }
  if (next >= state.argv.length) return { kind: 'final' };
  const user = read.options.filter((o) => o.name === '-u' || o.name === '--user').at(-1)?.value;
  return drop(state, next, 'sudo', user ? `user ${user}` : undefined);
};

export const doas: Handler = (state) => {
  const read = optionsOrUnknown(state, { flags: 'Lns', values: 'Cu' });
  if (isOutcome(read)) return read;
  if (has(read, '-C', '-L') || read.next >= state.argv.length) return { kind: 'final' };
  const user = read.options.filter((o) => o.name === '-u').at(-1)?.value;
  return drop(state, read.next, 'doas', user ? `user ${user}` : undefined);
};

const SU: OptionSpec = {
  flags: 'lmpPfhV',
  values: 'cgGsuw',
  longFlags: ['login', 'preserve-environment', 'pty', 'help', 'version'],
  longValues: ['command', 'session-command', 'group', 'supp-group', 'shell', 'whitelist-environment', 'user'],
};

/**
 * `su [opts] [user] -c cmd` and `runuser [opts] [user] -c cmd` run a string with the user's shell; both permute
 * their arguments, so read them all. `runuser -u USER -- cmd args` runs an argv.
 */
function suLike(name: string): Handler {
  return (state) => {
    let script: string | undefined;
    let user: string | undefined;
    for (let i = 1; i < state.argv.length; ) {
      if (state.argv[i] === '--') {
        if (name === 'runuser' && user !== undefined && i + 1 < state.argv.length) return drop(state, i + 1, name, `user ${user}`);
        break;
      }
      if (state.dynamic.includes(i) && state.argv[i]!.startsWith('-')) return { kind: 'unknown', reason: `${name} options only known at run time` };
      const read = readOptions(state.argv, i, SU);
      if (read.error) return { kind: 'unknown', reason: `${read.error} for ${name}` };
      for (const o of read.options) {
        if (['-c', '--command', '--session-command'].includes(o.name)) script = o.value;
        if (o.name === '-u' || o.name === '--user') user = o.value;
      }
      if (read.next === i) {
        if (name === 'runuser' && user !== undefined) return drop(state, i, name, `user ${user}`); // `runuser -u U cmd`
        user ??= state.argv[i];
        i++;
      } else i = read.next;
    }
    if (script === undefined) return { kind: 'final' };
    return { kind: 'nested', wrapper: `${name} -c`, script, ...(user ? { target: `user ${user}` } : {}) } satisfies Outcome;
  };
}

export const su = suLike('su');
export const runuser = suLike('runuser');
