// Wrappers that change how a command runs but not what runs: `nice`, `timeout`, `nohup`, `xargs`, `watch` …
import { splitAssignment } from '../parse/words.js';
import { basename, drop, isAssignment, type Handler, type Outcome, type State } from './state.js';
import { has, HELP, isOutcome, optionsOrUnknown, simpleWrapper, valueOf } from './options.js';

const nice: Handler = (state) => {
  const legacy = state.argv[1] !== undefined && /^-[+-]?\d+$/.test(state.argv[1]) ? 2 : 1;
  const read = optionsOrUnknown(state, { values: 'n', longValues: ['adjustment'], longFlags: ['help', 'version'] }, legacy);
  if (isOutcome(read)) return read;
  if (has(read, ...HELP) || read.next >= state.argv.length) return { kind: 'final' };
  return drop(state, read.next, 'nice');
};

const timeout: Handler = (state) => {
  const read = optionsOrUnknown(state, {
    flags: 'fpv',
    values: 'ks',
    longFlags: ['foreground', 'preserve-status', 'verbose', 'help', 'version'],
    longValues: ['kill-after', 'signal'],
  });
  if (isOutcome(read)) return read;
  if (has(read, ...HELP) || read.next + 1 >= state.argv.length) return { kind: 'final' };
  return drop(state, read.next + 1, 'timeout'); // skip DURATION
};

/** The placeholder `xargs -I R` replaces in the command's words. */
const xargs: Handler = (state) => {
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
  const placeholder = valueOf(read, '-I') ?? (read.options.some((o) => o.name === '-i' || o.name === '--replace')
    ? (valueOf(read, '-i', '--replace') ?? '{}') : undefined);
  const out = drop(state, read.next, 'xargs');
  if (placeholder) {
    // Each word holding the placeholder is only known at run time (it is the input line).
    state.argv.forEach((word, i) => {
      if (i > 0 && word.includes(placeholder) && !state.dynamic.includes(i)) state.dynamic.push(i);
    });
    state.dynamic.sort((a, b) => a - b);
    if (state.argv[0]!.includes(placeholder)) return { kind: 'unknown', reason: 'xargs -I: the command name is the input line' };
  }
  return out;
};

/** procps `watch` runs `sh -c "$*"` (all words joined by spaces) unless `-x`/`--exec`. */
const watch: Handler = (state) => {
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
  return { kind: 'nested', wrapper: 'watch', script: state.argv.slice(read.next).join(' ') };
};

const flock: Handler = (state) => {
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
};

/** Leading `NAME=value` words after a reserved word (`time X=1 cmd`, `! X=1 cmd`) are the command's environment. */
const absorbAssignments = (state: State): Outcome => {
  let next = 0;
  while (next < state.argv.length - 1 && isAssignment(state, next)) {
    const [key, value] = splitAssignment(state.argv[next]!);
    state.env = { ...state.env, [key]: value };
    next++;
  }
  return next > 0 ? drop(state, next, 'env') : { kind: 'peeled' };
};

/** Reserved words tree-sitter-bash reads as a command name after `!` or `time`: the command after them runs. */
const keyword: Handler = (state) => {
  drop(state, 1, basename(state.argv[0]!));
  return absorbAssignments(state);
};

/** `time [-p] cmd`: bash's reserved word at the start of a pipeline (assignments allowed), else /usr/bin/time. */
const time: Handler = (state, ctx) => {
  const outcome = timeProgram(state, ctx);
  if (outcome.kind !== 'peeled') return outcome;
  return absorbAssignments(state);
};

const timeProgram = simpleWrapper({
  flags: 'apqvV',
  values: 'fo',
  longFlags: ['append', 'portability', 'quiet', 'verbose', 'help', 'version'],
  longValues: ['format', 'output'],
}, HELP);

export const PROCESS_WRAPPERS: Record<string, Handler> = {
  command: simpleWrapper({ flags: 'pvV' }, ['-v', '-V']),
  builtin: simpleWrapper({}),
  exec: simpleWrapper({ flags: 'cl', values: 'a' }),
  nice,
  nohup: simpleWrapper({ longFlags: ['help', 'version'] }, HELP),
  timeout,
  time,
  stdbuf: simpleWrapper({ values: 'ioe', longValues: ['input', 'output', 'error'], longFlags: ['help', 'version'] }, HELP),
  xargs,
  watch,
  setsid: simpleWrapper({ flags: 'cfwhV', longFlags: ['ctty', 'fork', 'wait', 'help', 'version'] }, ['-h', '-V', ...HELP]),
  ionice: simpleWrapper(
    { flags: 'thV', values: 'cnpPu', longFlags: ['ignore', 'help', 'version'], longValues: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
    ['-p', '-P', '-u', '--pid', '--pgid', '--uid', '-h', '-V', ...HELP], // acting on running processes: nothing new runs
  ),
  chronic: simpleWrapper({ flags: 'ev' }),
  unbuffer: simpleWrapper({ flags: 'p' }),
  flock,
  '{': keyword,
  '!': keyword,
  then: keyword,
  do: keyword,
  else: keyword,
  elif: keyword,
  if: keyword,
  while: keyword,
  until: keyword,
  coproc: (state) => drop(state, state.argv[2] === '{' ? 3 : 1, 'coproc'),
};
