// Stage 2: peel wrappers (`sudo`, `env`, `bash -c`, `npx` …) until the real command is reached.
// Anything we cannot follow (a run-time command name, too much nesting, an unknown wrapper option)
// becomes an Unknown, never a silent pass.
import type { Invocation, ParsedLine, SimpleCommand, StdinSource, Unknown, Unwrapped } from '../types.js';
import { parseLine, parseSimple, splitAssignment } from './parse.js';
import { withLineContext } from './pipes.js';

/** How many nested shell strings (`bash -c`, `eval`, `watch`, `flock -c` …) we follow. */
export const MAX_UNWRAP_DEPTH = 8;
/** How many wrappers we peel from one command before giving up. */
export const MAX_STRIP_ITERATIONS = 32;

export interface UnwrapContext {
  /** npm package → the binary it provides, e.g. '@railway/cli' → 'railway'. */
  packages: Record<string, string>;
  /** Nesting depth already used (callers normally leave it unset). */
  depth?: number;
}

/** Unwraps one parsed command; nested shell strings are parsed with parseLine (may load the bash grammar). */
export async function unwrap(cmd: SimpleCommand, ctx: UnwrapContext): Promise<Unwrapped> {
  const steps = unwrapSteps(initialState(cmd), ctx, ctx.depth ?? 0);
  let step = steps.next();
  while (!step.done) step = steps.next(withLineContext(await parseLine(step.value)));
  return step.value;
}

/**
 * Sync unwrap of an argv the shell already expanded (the shim path). Returns null when a nested shell
 * string (`bash -c '…'`, `eval`, `watch`, `flock -c`, `env -S`, a shell fed a heredoc) needs the full
 * bash parser; call `unwrap` then. Nested strings the fast path can read are followed here too.
 */
export function unwrapArgv(
  argv: string[],
  env: Record<string, string> = {},
  ctx: UnwrapContext,
  stdin: StdinSource = { kind: 'inherit' },
): Unwrapped | null {
  const cmd: SimpleCommand = { argv, assignments: env, redirects: [], stdin, dynamic: [], text: argv.join(' ') };
  const steps = unwrapSteps(initialState(cmd), ctx, ctx.depth ?? 0);
  let step = steps.next();
  while (!step.done) {
    const parsed = parseSimple(step.value);
    if (!parsed) return null;
    step = steps.next(withLineContext(parsed));
  }
  return step.value;
}

/** Everything known about one command while its wrappers come off. */
interface State {
  argv: string[];
  dynamic: number[];
  env: Record<string, string>;
  clearedEnv: boolean;
  unsetEnv: string[];
  stdin: StdinSource;
  wrappers: string[];
  argsUnknown: boolean;
  text: string;
  /** Set when an npm runner named the program differently from argv[0] (`npx @railway/cli` → railway). */
  program?: string;
}

/** What one wrapper handler decided. */
type Outcome =
  | { kind: 'peeled' } // state was updated; look at the new argv[0]
  | { kind: 'final' } // argv[0] is the program that runs
  | { kind: 'nested'; wrapper: string; script: string; positional?: { words: string[]; dynamic: boolean[] } }
  | { kind: 'unknown'; reason: string };

function initialState(cmd: SimpleCommand): State {
  return {
    argv: [...cmd.argv],
    dynamic: [...cmd.dynamic],
    env: { ...cmd.assignments },
    clearedEnv: false,
    unsetEnv: [],
    stdin: cmd.stdin,
    wrappers: [],
    argsUnknown: false,
    text: cmd.text,
  };
}

/** Peels one command; yields each nested script to parse and receives its ParsedLine back. */
function* unwrapSteps(state: State, ctx: UnwrapContext, depth: number): Generator<string, Unwrapped, ParsedLine> {
  if (state.argv.length === 0) return { invocations: [], unknowns: [] };
  for (let iteration = 0; iteration < MAX_STRIP_ITERATIONS; iteration++) {
    if (state.argv.length === 0) return { invocations: [], unknowns: [] };
    if (state.dynamic.includes(0)) return unknownResult('command name only known at run time', state.text);
    const outcome = peelOnce(state, ctx);
    if (outcome.kind === 'peeled') continue;
    if (outcome.kind === 'final') return { invocations: [toInvocation(state)], unknowns: [] };
    if (outcome.kind === 'unknown') return unknownResult(outcome.reason, state.text);
    if (depth + 1 > MAX_UNWRAP_DEPTH) return unknownResult('too deeply nested', state.text);
    const parsed: ParsedLine = yield outcome.script;
    const result: Unwrapped = { invocations: [], unknowns: [...parsed.unknowns] };
    for (const inner of parsed.commands) {
      const innerState = enterNested(state, inner, outcome.wrapper, outcome.positional);
      const innerResult: Unwrapped = yield* unwrapSteps(innerState, ctx, depth + 1);
      result.invocations.push(...innerResult.invocations);
      result.unknowns.push(...innerResult.unknowns);
    }
    return result;
  }
  return unknownResult('too deeply nested', state.text);
}

function unknownResult(reason: string, text: string): Unwrapped {
  return { invocations: [], unknowns: [{ reason, text } satisfies Unknown] };
}

function toInvocation(state: State): Invocation {
  return {
    argv: state.argv,
    program: state.program ?? basename(state.argv[0]!),
    env: state.env,
    clearedEnv: state.clearedEnv,
    unsetEnv: state.unsetEnv,
    stdin: state.stdin,
    wrappers: state.wrappers,
    argsUnknown: state.argsUnknown,
    dynamic: state.dynamic,
    text: state.text,
  };
}

/** A command found inside a nested script inherits the outer env, stdin and wrapper chain. */
function enterNested(
  outer: State,
  inner: SimpleCommand,
  wrapper: string,
  positional?: { words: string[]; dynamic: boolean[] },
): State {
  const { argv, dynamic } = positional ? substitutePositional(inner, positional) : { argv: inner.argv, dynamic: inner.dynamic };
  return {
    argv: [...argv],
    dynamic: [...dynamic],
    env: { ...outer.env, ...inner.assignments },
    clearedEnv: outer.clearedEnv,
    unsetEnv: [...outer.unsetEnv],
    stdin: inner.stdin.kind === 'inherit' ? outer.stdin : inner.stdin,
    wrappers: [...outer.wrappers, wrapper],
    argsUnknown: outer.argsUnknown,
    text: inner.text,
  };
}

/** `sh -c 'terraform "$@"' sh destroy`: puts the known positional words in place of `$1`, `$@` … */
function substitutePositional(
  cmd: SimpleCommand,
  positional: { words: string[]; dynamic: boolean[] },
): { argv: string[]; dynamic: number[] } {
  const argv: string[] = [];
  const dynamic: number[] = [];
  const push = (word: string, isDynamic: boolean): void => {
    if (isDynamic) dynamic.push(argv.length);
    argv.push(word);
  };
  cmd.argv.forEach((word, index) => {
    if (!cmd.dynamic.includes(index)) return push(word, false);
    const all = /^\$(?:[@*]|\{[@*]\})$/.test(word);
    const single = /^\$(?:(\d)|\{(\d+)\})$/.exec(word);
    if (all) positional.words.slice(1).forEach((w, i) => push(w, positional.dynamic[i + 1] ?? false));
    else if (single) {
      const n = Number(single[1] ?? single[2]);
      push(positional.words[n] ?? '', positional.dynamic[n] ?? false);
    } else push(word, true);
  });
  return { argv, dynamic };
}

/** Removes the first `count` words (the wrapper and its options), keeping dynamic indices aligned. */
function drop(state: State, count: number, wrapper: string): Outcome {
  state.argv = state.argv.slice(count);
  state.dynamic = state.dynamic.filter((i) => i >= count).map((i) => i - count);
  state.wrappers = [...state.wrappers, wrapper];
  return { kind: 'peeled' }; // an empty argv means nothing is left to run
}

/** Last path component: `/usr/local/bin/terraform` and `./node_modules/.bin/terraform` → `terraform`. */
export function basename(word: string): string {
  const trimmed = word.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

// ---------- option reading (getopt with "+": options end at the first operand) ----------

interface OptionSpec {
  /** Short options without a value. */
  flags?: string;
  /** Short options with a value (attached `-uroot` or the next word). */
  values?: string;
  /** Short options whose value may only be attached (getopt `x::`). */
  optional?: string;
  longFlags?: string[];
  longValues?: string[];
  /** Long options whose value is only given as `--name=value`. */
  longOptional?: string[];
  /** Unknown options are treated as flags instead of failing (npm-style CLIs). */
  lenient?: boolean;
}

interface ReadOptions {
  /** Each option as `-x` or `--name`, with its value if any. */
  options: Array<{ name: string; value?: string }>;
  /** Index of the first operand (argv.length when none). */
  next: number;
  error?: string;
}

/** Reads options from argv[from…] the way getopt_long does in "+" mode (abbreviated long names too). */
function readOptions(argv: string[], from: number, spec: OptionSpec): ReadOptions {
  const options: ReadOptions['options'] = [];
  let i = from;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') return { options, next: i + 1 };
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const written = eq < 0 ? word.slice(2) : word.slice(2, eq);
      const name = resolveLong(written, spec);
      if (!name) {
        if (spec.lenient) {
          options.push({ name: `--${written}`, ...(eq >= 0 ? { value: word.slice(eq + 1) } : {}) });
          i++;
          continue;
        }
        return { options, next: i, error: `unrecognized option ${word}` };
      }
      if (spec.longValues?.includes(name)) {
        if (eq >= 0) options.push({ name: `--${name}`, value: word.slice(eq + 1) });
        else {
          if (i + 1 >= argv.length) return { options, next: i, error: `option --${name} needs a value` };
          options.push({ name: `--${name}`, value: argv[++i]! });
        }
      } else if (spec.longOptional?.includes(name)) {
        options.push({ name: `--${name}`, ...(eq >= 0 ? { value: word.slice(eq + 1) } : {}) });
      } else {
        if (eq >= 0) return { options, next: i, error: `option --${name} takes no value` };
        options.push({ name: `--${name}` });
      }
      i++;
      continue;
    }
    for (let k = 1; k < word.length; k++) {
      const letter = word[k]!;
      if (spec.values?.includes(letter)) {
        const attached = word.slice(k + 1);
        if (attached) options.push({ name: `-${letter}`, value: attached });
        else {
          if (i + 1 >= argv.length) return { options, next: i, error: `option -${letter} needs a value` };
          options.push({ name: `-${letter}`, value: argv[++i]! });
        }
        break;
      }
      if (spec.optional?.includes(letter)) {
        const attached = word.slice(k + 1);
        options.push({ name: `-${letter}`, ...(attached ? { value: attached } : {}) });
        break;
      }
      if (spec.flags?.includes(letter) || spec.lenient) options.push({ name: `-${letter}` });
      else return { options, next: i, error: `unrecognized option -${letter}` };
    }
    i++;
  }
  return { options, next: i };
}

function resolveLong(written: string, spec: OptionSpec): string | undefined {
  const all = [...(spec.longFlags ?? []), ...(spec.longValues ?? []), ...(spec.longOptional ?? [])];
  if (all.includes(written)) return written;
  const candidates = all.filter((name) => name.startsWith(written));
  return candidates.length === 1 ? candidates[0] : undefined;
}

const has = (read: ReadOptions, ...names: string[]): boolean => read.options.some((o) => names.includes(o.name));

/** Reads a wrapper's options; on error returns an Unknown outcome naming the wrapper. */
function optionsOrUnknown(state: State, spec: OptionSpec, from = 1): ReadOptions | Outcome {
  const read = readOptions(state.argv, from, spec);
  if (read.error) return { kind: 'unknown', reason: `${read.error} for ${basename(state.argv[0]!)}` };
  if (state.dynamic.some((i) => i >= from && i < read.next)) {
    return { kind: 'unknown', reason: `${basename(state.argv[0]!)} options only known at run time` };
  }
  return read;
}

const isOutcome = (value: ReadOptions | Outcome): value is Outcome => 'kind' in value;

// ---------- wrappers ----------

type Handler = (state: State, ctx: UnwrapContext) => Outcome;

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox-sh']);

function peelOnce(state: State, ctx: UnwrapContext): Outcome {
  const name = basename(state.argv[0]!);
  if (SHELLS.has(name)) return shell(state, name);
  const handler = HANDLERS[name];
  return handler ? handler(state, ctx) : { kind: 'final' };
}

/** Options, then a required command: the common shape of `nohup`, `setsid`, `stdbuf` … */
function simpleWrapper(spec: OptionSpec, stopWhen: string[] = []): Handler {
  return (state) => {
    const read = optionsOrUnknown(state, spec);
    if (isOutcome(read)) return read;
    if (has(read, ...stopWhen) || read.next >= state.argv.length) return { kind: 'final' };
    return drop(state, read.next, basename(state.argv[0]!));
  };
}

const HELP = ['--help', '--version'];

const HANDLERS: Record<string, Handler> = {
  sudo: (state) => {
    const read = optionsOrUnknown(state, {
      flags: 'AbBEeHiKklNnPSsVv',
      values: 'aCcDgpRrTtUu',
      optional: 'h',
      longFlags: ['askpass', 'background', 'bell', 'edit', 'set-home', 'help', 'login', 'remove-timestamp',
        'reset-timestamp', 'list', 'no-update', 'non-interactive', 'preserve-groups', 'stdin', 'shell', 'version', 'validate'],
      longValues: ['auth-type', 'close-from', 'login-class', 'chdir', 'group', 'host', 'prompt', 'chroot', 'role',
        'type', 'command-timeout', 'other-user', 'user'],
      longOptional: ['preserve-env'],
    });
    if (isOutcome(read)) return read;
    // These list, validate, edit or print instead of running the command.
    const noRun = ['-l', '--list', '-v', '--validate', '-V', '--version', '-K', '--remove-timestamp', '-e', '--edit', '--help'];
    if (has(read, ...noRun) || read.options.some((o) => o.name === '-h' && o.value === undefined)) return { kind: 'final' };
    let next = read.next;
    while (next < state.argv.length && isAssignment(state, next)) {
      const [key, value] = splitAssignment(state.argv[next]!);
      state.env = { ...state.env, [key]: value };
      next++;
    }
    if (next >= state.argv.length) return { kind: 'final' };
    return drop(state, next, 'sudo');
  },
  doas: simpleWrapperNamed('doas', { flags: 'Lns', values: 'Cu' }, ['-C', '-L']),
  env: envWrapper,
  command: simpleWrapper({ flags: 'pvV' }, ['-v', '-V']),
  builtin: simpleWrapper({}),
  exec: simpleWrapper({ flags: 'cl', values: 'a' }),
  nice: (state) => {
    const legacy = state.argv[1] !== undefined && /^-[+-]?\d+$/.test(state.argv[1]) ? 2 : 1;
    const read = optionsOrUnknown(state, { values: 'n', longValues: ['adjustment'], longFlags: ['help', 'version'] }, legacy);
    if (isOutcome(read)) return read;
    if (has(read, ...HELP) || read.next >= state.argv.length) return { kind: 'final' };
    return drop(state, read.next, 'nice');
  },
  nohup: simpleWrapper({ longFlags: ['help', 'version'] }, HELP),
  timeout: (state) => {
    const read = optionsOrUnknown(state, {
      flags: 'fpv',
      values: 'ks',
      longFlags: ['foreground', 'preserve-status', 'verbose', 'help', 'version'],
      longValues: ['kill-after', 'signal'],
    });
    if (isOutcome(read)) return read;
    if (has(read, ...HELP) || read.next + 1 >= state.argv.length) return { kind: 'final' };
    return drop(state, read.next + 1, 'timeout'); // skip DURATION
  },
  time: simpleWrapper({
    flags: 'apqvV',
    values: 'fo',
    longFlags: ['append', 'portability', 'quiet', 'verbose', 'help', 'version'],
    longValues: ['format', 'output'],
  }, HELP),
  stdbuf: simpleWrapper({ values: 'ioe', longValues: ['input', 'output', 'error'], longFlags: ['help', 'version'] }, HELP),
  xargs: (state) => {
    const read = optionsOrUnknown(state, {
      flags: '0oprtx',
      values: 'aEIdLnPs',
      optional: 'eil',
      longFlags: ['null', 'open-tty', 'interactive', 'no-run-if-empty', 'verbose', 'exit', 'show-limits', 'help', 'version'],
      longValues: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
      longOptional: ['eof', 'replace', 'max-lines'],
    });
    if (isOutcome(read)) return read;
    if (has(read, ...HELP)) return { kind: 'final' };
    state.argsUnknown = true;
    if (read.next >= state.argv.length) {
      state.argv = ['echo'];
      state.dynamic = [];
      state.wrappers = [...state.wrappers, 'xargs'];
      return { kind: 'final' };
    }
    return drop(state, read.next, 'xargs');
  },
  watch: (state) => {
    const read = optionsOrUnknown(state, {
      flags: 'bcCegprtwxhv',
      optional: 'd',
      values: 'nq',
      longFlags: ['beep', 'color', 'no-color', 'errexit', 'chgexit', 'precise', 'no-rerun', 'no-title', 'no-wrap',
        'no-linewrap', 'exec', 'help', 'version'],
      longValues: ['interval', 'equexit'],
      longOptional: ['differences'],
    });
    if (isOutcome(read)) return read;
    if (has(read, '-h', '-v', ...HELP) || read.next >= state.argv.length) return { kind: 'final' };
    if (has(read, '-x', '--exec')) return drop(state, read.next, 'watch');
    return { kind: 'nested', wrapper: 'watch', script: state.argv.slice(read.next).join(' ') }; // watch runs `sh -c "$*"`
  },
  setsid: simpleWrapper({ flags: 'cfwhV', longFlags: ['ctty', 'fork', 'wait', 'help', 'version'] }, ['-h', '-V', ...HELP]),
  ionice: simpleWrapper(
    { flags: 'thV', values: 'cnpPu', longFlags: ['ignore', 'help', 'version'], longValues: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
    ['-p', '-P', '-u', '--pid', '--pgid', '--uid', '-h', '-V', ...HELP], // acting on running processes: nothing new runs
  ),
  chronic: simpleWrapper({ flags: 'ev' }),
  unbuffer: simpleWrapper({ flags: 'p' }),
  flock: (state) => {
    const read = optionsOrUnknown(state, {
      flags: 'sexnouFhV',
      values: 'wE',
      longFlags: ['shared', 'exclusive', 'unlock', 'nonblock', 'nb', 'close', 'no-fork', 'verbose', 'help', 'version'],
      longValues: ['timeout', 'wait', 'conflict-exit-code'],
    });
    if (isOutcome(read)) return read;
    const commandAt = read.next + 1; // after the lock file
    if (has(read, '-h', '-V', ...HELP) || commandAt >= state.argv.length) return { kind: 'final' };
    const word = state.argv[commandAt]!;
    if (word === '-c' || word === '--command') {
      const script = state.argv[commandAt + 1];
      return script === undefined ? { kind: 'final' } : { kind: 'nested', wrapper: 'flock -c', script };
    }
    return drop(state, commandAt, 'flock');
  },
  su: (state) => {
    // su permutes its arguments (`su root -c cmd` and `su -c cmd root` both work), so read them all.
    const spec: OptionSpec = {
      flags: 'lmpPfhV',
      values: 'cgGsw',
      longFlags: ['login', 'preserve-environment', 'pty', 'help', 'version'],
      longValues: ['command', 'session-command', 'group', 'supp-group', 'shell', 'whitelist-environment'],
    };
    let script: string | undefined;
    for (let i = 1; i < state.argv.length; ) {
      if (state.argv[i] === '--') break;
      const read = readOptions(state.argv, i, spec);
      if (read.error) return { kind: 'unknown', reason: `${read.error} for su` };
      for (const o of read.options) if (['-c', '--command', '--session-command'].includes(o.name)) script = o.value;
      i = read.next === i ? i + 1 : read.next;
    }
    return script === undefined ? { kind: 'final' } : { kind: 'nested', wrapper: 'su -c', script };
  },
  // tree-sitter-bash reads `time { a; }` as words; the group's commands still run.
  '{': (state) => drop(state, 1, '{'),
  '!': (state) => drop(state, 1, '!'),
  coproc: (state) => drop(state, state.argv[2] === '{' ? 3 : 1, 'coproc'),
  eval: (state) => {
    if (state.argv.length < 2) return { kind: 'final' };
    return { kind: 'nested', wrapper: 'eval', script: state.argv.slice(1).join(' ') };
  },
  npx: (state, ctx) => npmRunner(state, ctx, 1, 'npx'),
  bunx: (state, ctx) => npmRunner(state, ctx, 1, 'bunx'),
  npm: (state, ctx) => subcommandRunner(state, ctx, { exec: 'npm exec', x: 'npm exec' }),
  pnpm: (state, ctx) => subcommandRunner(state, ctx, { dlx: 'pnpm dlx', exec: 'pnpm exec' }),
  yarn: (state, ctx) => subcommandRunner(state, ctx, { dlx: 'yarn dlx', exec: 'yarn exec' }),
  bun: (state, ctx) => subcommandRunner(state, ctx, { x: 'bunx' }),
};

function simpleWrapperNamed(name: string, spec: OptionSpec, stopWhen: string[]): Handler {
  return (state) => {
    const read = optionsOrUnknown(state, spec);
    if (isOutcome(read)) return read;
    if (has(read, ...stopWhen) || read.next >= state.argv.length) return { kind: 'final' };
    return drop(state, read.next, name);
  };
}

function isAssignment(state: State, index: number): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(state.argv[index]!) && !state.dynamic.includes(index);
}

const ENV_LONG: OptionSpec = {
  longFlags: ['ignore-environment', 'null', 'debug', 'help', 'version', 'list-signal-handling'],
  longValues: ['unset', 'chdir', 'split-string', 'argv0'],
  longOptional: ['block-signal', 'default-signal', 'ignore-signal'],
};
/** env's short options that take a value. */
const ENV_SHORT_VALUES = 'uCSa';
/** Bound on `-S` strings that themselves contain `-S`. */
const MAX_SPLIT_STRINGS = 8;

/** `env [-i|-] [-u NAME] [-S 'words'] [-C dir] [NAME=value]… command`. */
function envWrapper(state: State): Outcome {
  let i = 1;
  let splits = 0;
  options: while (i < state.argv.length) {
    const word = state.argv[i]!;
    if (state.dynamic.includes(i) && /^[$-]/.test(word)) return { kind: 'unknown', reason: 'env options only known at run time' };
    if (word === '--') { i++; break; }
    if (word === '-') { clearEnv(state); i++; continue; }
    if (!word.startsWith('-')) break;
    let name: string;
    let value: string | undefined;
    let consumed = 1;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const resolved = resolveLong(eq < 0 ? word.slice(2) : word.slice(2, eq), ENV_LONG);
      if (!resolved) return { kind: 'unknown', reason: `unrecognized option ${word} for env` };
      name = resolved;
      if (eq >= 0) value = word.slice(eq + 1);
      else if (ENV_LONG.longValues!.includes(name)) { value = state.argv[i + 1]; consumed = 2; }
    } else {
      // A group of short flags; a value-taking letter ends the group.
      let k = 1;
      for (; k < word.length && !ENV_SHORT_VALUES.includes(word[k]!); k++) {
        if (word[k] === 'i') clearEnv(state);
        else if (word[k] !== 'v' && word[k] !== '0') return { kind: 'unknown', reason: `unrecognized option -${word[k]} for env` };
      }
      if (k >= word.length) { i++; continue; }
      name = { u: 'unset', C: 'chdir', S: 'split-string', a: 'argv0' }[word[k] as 'u' | 'C' | 'S' | 'a'];
      if (k + 1 < word.length) value = word.slice(k + 1);
      else { value = state.argv[i + 1]; consumed = 2; }
    }
    if (['help', 'version', 'list-signal-handling'].includes(name)) return { kind: 'final' };
    if (name === 'ignore-environment') clearEnv(state);
    if (ENV_LONG.longValues!.includes(name) && value === undefined) return { kind: 'final' }; // env reports the error
    if (name === 'unset') {
      state.unsetEnv = [...state.unsetEnv, value!];
      const { [value!]: _removed, ...rest } = state.env;
      state.env = rest;
    }
    if (name === 'split-string') {
      if (++splits > MAX_SPLIT_STRINGS) return { kind: 'unknown', reason: 'too deeply nested' };
      const spliced = spliceSplitString(state, i, consumed, value!);
      if (spliced) return spliced;
      continue options; // the split words now start at argv[i]
    }
    i += consumed;
  }
  while (i < state.argv.length && isAssignment(state, i)) {
    const [key, assigned] = splitAssignment(state.argv[i]!);
    state.env = { ...state.env, [key]: assigned };
    i++;
  }
  if (i >= state.argv.length) return { kind: 'final' }; // `env` alone prints the environment
  return drop(state, i, 'env');
}

function clearEnv(state: State): void {
  state.env = {};
  state.clearedEnv = true;
}

/**
 * `env -S 'A=1 cmd args'` splits its string into words that replace the option in argv. A string the
 * fast path reads as one plain command is spliced in; anything else is followed as a nested line.
 */
function spliceSplitString(state: State, at: number, consumed: number, text: string): Outcome | null {
  const parsed = parseSimple(text);
  const inner = parsed?.commands.length === 1 && parsed.commands[0]!.redirects.length === 0 ? parsed.commands[0]! : null;
  if (!inner) {
    return { kind: 'nested', wrapper: 'env -S', script: [text, ...state.argv.slice(at + consumed)].join(' ') };
  }
  const assignmentWords = Object.entries(inner.assignments).map(([k, v]) => `${k}=${v}`);
  const words = [...assignmentWords, ...inner.argv];
  const shift = words.length - consumed;
  state.dynamic = [
    ...state.dynamic.filter((d) => d < at),
    ...inner.dynamic.map((d) => d + assignmentWords.length + at),
    ...state.dynamic.filter((d) => d >= at + consumed).map((d) => d + shift),
  ];
  state.argv = [...state.argv.slice(0, at), ...words, ...state.argv.slice(at + consumed)];
  return null;
}

/**
 * `bash [options] -c 'script' [$0 [$1…]]` runs a string; `bash file` runs a file (final); a shell given
 * no operand reads its commands from stdin (a heredoc or here-string we can read, anything else we cannot).
 */
function shell(state: State, name: string): Outcome {
  let commandString = false;
  let fromStdin = false;
  let i = 1;
  for (; i < state.argv.length; i++) {
    const word = state.argv[i]!;
    if (state.dynamic.includes(i) && /^[$-]/.test(word)) {
      return { kind: 'unknown', reason: `${name} ${commandString ? '-c script' : 'options'} only known at run time` };
    }
    if (word === '--' || word === '-') { i++; break; }
    if (word.startsWith('--')) {
      if (word === '--help' || word === '--version') return { kind: 'final' };
      if (word === '--rcfile' || word === '--init-file') i++;
      continue; // --login, --noprofile, --norc, --posix … (zsh: --<option-name>)
    }
    if (!/^[-+]./.test(word)) break;
    for (const letter of word.slice(1)) {
      if (letter === 'c' && word.startsWith('-')) commandString = true;
      else if (letter === 's') fromStdin = true;
      else if (letter === 'o' || letter === 'O') i++; // `-o pipefail`: the option name is the next word
    }
  }
  if (commandString) {
    if (i >= state.argv.length) return { kind: 'final' };
    const rest = state.argv.slice(i + 1);
    const positional = { words: rest, dynamic: rest.map((_w, k) => state.dynamic.includes(i + 1 + k)) };
    return { kind: 'nested', wrapper: `${name} -c`, script: state.argv[i]!, positional };
  }
  if (i < state.argv.length && !fromStdin) return { kind: 'final' }; // runs a script file
  if (state.stdin.kind === 'buffered' && state.stdin.truncated) {
    return { kind: 'unknown', reason: `${name} runs commands from stdin that were only partly read` };
  }
  if (state.stdin.kind === 'heredoc' || state.stdin.kind === 'herestring' || state.stdin.kind === 'buffered') {
    return { kind: 'nested', wrapper: `${name} (stdin)`, script: state.stdin.body };
  }
  if (state.stdin.kind === 'pipe') return { kind: 'unknown', reason: `${name} runs commands read from a pipe` };
  return { kind: 'final' }; // interactive shell, or commands from a file
}

// ---------- npm-family runners ----------

const NPM_VALUE_OPTIONS = ['registry', 'cache', 'prefix', 'userconfig', 'globalconfig', 'loglevel', 'node-options',
  'scope', 'workspace', 'filter', 'dir', 'reporter', 'resume-from', 'shell'];

/** `npx [opts] pkg[@ver] args`, `npx -p pkg cmd args`, `npx -c 'script'` (also bunx, npm exec, pnpm dlx …). */
function npmRunner(state: State, ctx: UnwrapContext, from: number, label: string): Outcome {
  const read = readOptions(state.argv, from, {
    flags: 'yqrw',
    values: 'pcF',
    longValues: ['package', 'call', ...NPM_VALUE_OPTIONS],
    longFlags: ['yes', 'no', 'no-install', 'quiet', 'ignore-existing', 'bun', 'recursive', 'workspaces',
      'include-workspace-root', 'shell-mode', 'silent', 'parallel'],
    lenient: true,
  });
  if (state.dynamic.some((d) => d >= from && d < read.next)) return { kind: 'unknown', reason: `${label} options only known at run time` };
  const call = read.options.find((o) => (o.name === '-c' || o.name === '--call') && o.value !== undefined);
  const shellMode = has(read, '--shell-mode');
  if (call?.value !== undefined && !(label === 'pnpm exec' || label === 'pnpm dlx')) {
    return { kind: 'nested', wrapper: `${label} -c`, script: call.value };
  }
  // pnpm's -c means --shell-mode: the words after it are a shell command line.
  if (shellMode || call) {
    const words = [...(call?.value !== undefined ? [call.value] : []), ...state.argv.slice(read.next)];
    return words.length === 0 ? { kind: 'final' } : { kind: 'nested', wrapper: `${label} -c`, script: words.join(' ') };
  }
  if (read.next >= state.argv.length) return { kind: 'final' };
  const explicitPackages = read.options.some((o) => o.name === '-p' || o.name === '--package');
  drop(state, read.next, label);
  const spec = state.argv[0]!;
  // With --package (or for `pnpm exec`/`yarn exec`) the first operand is already a binary name.
  const binaryNamed = explicitPackages || label === 'pnpm exec' || label === 'yarn exec';
  state.program = binaryNamed ? basename(spec) : binaryOfPackage(spec, ctx.packages);
  return { kind: 'final' };
}

/** `npm exec …`, `pnpm dlx …`, `yarn dlx …`, `bun x …`: skip the tool's own options, then a runner. */
function subcommandRunner(state: State, ctx: UnwrapContext, runners: Record<string, string>): Outcome {
  const read = readOptions(state.argv, 1, { flags: 'rwgsd', values: 'CF', longValues: NPM_VALUE_OPTIONS, lenient: true });
  const sub = state.argv[read.next];
  const label = sub === undefined ? undefined : runners[sub];
  if (!label || state.dynamic.includes(read.next)) return { kind: 'final' };
  return npmRunner(state, ctx, read.next + 1, label);
}

/** The binary an npm package spec provides: the configured mapping, else its name without scope/version. */
export function binaryOfPackage(spec: string, packages: Record<string, string>): string {
  const name = packageName(spec);
  const mapped = packages[name];
  if (mapped) return mapped;
  const base = basename(name.replace(/[#?].*$/, '')).replace(/\.(tgz|tar\.gz)$/, '');
  return base.replace(/^@/, '');
}

/** `@railway/cli@3.0.0` → `@railway/cli`; `cowsay@1` → `cowsay`. */
function packageName(spec: string): string {
  if (spec.startsWith('@')) {
    const at = spec.indexOf('@', 1);
    return at < 0 ? spec : spec.slice(0, at);
  }
  const at = spec.indexOf('@');
  return at <= 0 ? spec : spec.slice(0, at);
}
