// Programs that run other programs: `find -exec`, `awk system()`, `make`, `script -c`, `parallel`, `tmux`,
// `chroot`, `unshare`, `strace`, `dotenv` … What they run is followed when the line spells it out; what cannot
// be followed is unknown for agents (which programs count is ruleset data: rulesets/data/exec-programs.yaml).
import { has, isOutcome, optionsOrUnknown, readOptions, simpleWrapper, valueOf, type OptionSpec } from './options.js';
import { writtenContent } from './shells.js';
import { drop, type Handler, type NestedArgv, type Outcome, type State, type UnwrapContext } from './state.js';

/** A word that stands for a value only known when the program runs (a file name, an input line). */
export const RUN_TIME_WORD = '"$BLASTGATE_RUN_TIME_WORD"';

/** The program itself is judged by its rules; what it runs cannot be followed (unknown for agents). */
const opaque = (program: string, what: string): Outcome => ({ kind: 'final', unknown: { reason: `${program} ${what}, which cannot be followed`, agentOnly: true } });

/** `find … -exec cmd {} ;` / `-execdir … +` / `-ok` / `-okdir`: each runs an argv per file found. */
const find: Handler = (state) => {
  const commands: NestedArgv[] = [];
  for (let i = 1; i < state.argv.length; i++) {
    const word = state.argv[i]!;
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(word)) continue;
    let end = i + 1;
    while (end < state.argv.length && state.argv[end] !== ';' && !(state.argv[end] === '+' && state.argv[end - 1] === '{}')) end++;
    const argv = state.argv.slice(i + 1, end);
    if (argv.length === 0) continue;
    const dynamic = argv.flatMap((w, k) => (w.includes('{}') || state.dynamic.includes(i + 1 + k) ? [k] : []));
    commands.push({ argv, dynamic, argsUnknown: state.argv[end] === '+' });
    i = end;
  }
  return commands.length === 0 ? { kind: 'final' } : { kind: 'nested-argv', wrapper: 'find -exec', commands, keep: true };
};

/** awk's program text: literal `system("…")`, `print | "cmd"`, `"cmd" | getline` run shell commands. */
const awk: Handler = (state) => {
  const read = readOptions(state.argv, 1, { values: 'fvFW', flags: 'bcCdDegMNOPrsStV', longValues: ['file', 'assign', 'field-separator', 'source', 'include', 'load'], lenient: true });
  const files = read.options.filter((o) => o.name === '-f' || o.name === '--file').map((o) => o.value!);
  const sources = read.options.filter((o) => o.name === '--source' || o.name === '-e').map((o) => o.value!);
  if (files.length > 0) return opaque('awk', 'runs a program file that may call system()');
  const program = sources.length > 0 ? sources.join('\n') : state.argv[read.next];
  if (program === undefined) return { kind: 'final' };
  if (state.dynamic.includes(read.next) && sources.length === 0) return opaque('awk', 'runs a program only known at run time');
  if (!/system\s*\(|\|\s*"|"\s*\||\|\s*getline|\|&/.test(program)) return { kind: 'final' };
  const literals: string[] = [];
  const calls = /system\s*\(\s*("(?:[^"\\]|\\.)*")\s*\)|(?:print|printf)[^|;}]*\|\s*("(?:[^"\\]|\\.)*")|("(?:[^"\\]|\\.)*")\s*\|\s*getline/g;
  let matched = 0;
  for (const m of program.matchAll(calls)) {
    matched++;
    literals.push(JSON.parse((m[1] ?? m[2] ?? m[3])!) as string);
  }
  const mentions = (program.match(/system\s*\(|\|\s*getline|\|\s*"|\|&/g) ?? []).length;
  if (matched < mentions) return opaque('awk', 'runs a command built at run time (system() or a pipe)');
  return { kind: 'nested', wrapper: 'awk system()', script: literals.join('\n'), keep: true };
};

/** GNU sed's `e` command and the `e` flag of `s///` run the pattern space or a command as shell code. */
const sed: Handler = (state) => {
  const read = readOptions(state.argv, 1, { flags: 'nrEsuzi', values: 'efl', longValues: ['expression', 'file', 'line-length'], longOptional: ['in-place'], lenient: true });
  const scripts = read.options.filter((o) => o.name === '-e' || o.name === '--expression').map((o) => o.value!);
  if (read.options.some((o) => o.name === '-f' || o.name === '--file')) return opaque('sed', 'runs a script file that may use the e command');
  const script = scripts.length > 0 ? scripts.join('\n') : state.argv[read.next];
  if (script === undefined) return { kind: 'final' };
  const hasE = /(^|[;\n{}]|\d|\$|\/)\s*e(\s|;|$)/.test(script) || /(^|[;\n{])\s*s(.).*\2.*\2[gpiImM0-9w]*e/.test(script);
  return hasE ? opaque('sed', 'runs shell commands with its e command') : { kind: 'final' };
};

/** `make [-f file] [targets]`: the recipes of the Makefile run in a shell. */
const make: Handler = (state, ctx) => {
  const read = optionsOrUnknown(state, {
    flags: 'bBdeiknpqrRsStvwhL', values: 'fCIjlOoW',
    longValues: ['file', 'makefile', 'directory', 'include-dir', 'jobs', 'load-average', 'output-sync', 'old-file', 'what-if', 'new-file', 'assume-new', 'assume-old', 'eval', 'debug'],
    longFlags: ['always-make', 'environment-overrides', 'ignore-errors', 'keep-going', 'just-print', 'dry-run', 'recon', 'print-data-base', 'question', 'no-builtin-rules', 'no-builtin-variables', 'silent', 'quiet', 'stop', 'touch', 'trace', 'version', 'print-directory', 'no-print-directory', 'warn-undefined-variables', 'check-symlink-times', 'help'],
    lenient: true,
  });
  if (isOutcome(read)) return read;
  if (has(read, '-n', '--just-print', '--dry-run', '--recon', '-q', '--question', '-p', '--print-data-base', '-v', '--version', '-h', '--help')) return { kind: 'final' };
  if (has(read, '-C', '--directory', '--eval')) return opaque('make', 'runs recipes from another directory or --eval');
  const named = valueOf(read, '-f', '--file', '--makefile');
  const text = readMakefile(state, ctx, named);
  if (text === undefined) return named ? opaque('make', `runs the recipes of ${named}`) : { kind: 'final' };
  if (text === null) return opaque('make', 'runs the recipes of a Makefile that could not be read');
  return { kind: 'nested', wrapper: 'make', script: recipes(text), fromDisk: !writtenOnLine(state, named) };
};

const writtenOnLine = (state: State, named: string | undefined): boolean =>
  (named ? [named] : ['GNUmakefile', 'makefile', 'Makefile']).some((f) => writtenContent(state, f) !== undefined);

function readMakefile(state: State, ctx: UnwrapContext, named: string | undefined): string | null | undefined {
  const candidates = named ? [named] : ['GNUmakefile', 'makefile', 'Makefile'];
  for (const file of candidates) {
    const written = writtenContent(state, file);
    if (written !== undefined) return written;
  }
  if (!ctx.readFile) return null;
  for (const file of candidates) {
    const text = ctx.readFile(file);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Every recipe line of a Makefile as shell text (prefixes `@ - +` dropped, `$$` → `$`), judged as if all ran. */
export function recipes(makefile: string): string {
  const lines = makefile.replace(/\\\n/g, ' ').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const inline = /^[^\t#=:]+:[^=]*?;(.*)$/.exec(line); // `target: deps ; recipe`
    const recipe = line.startsWith('\t') ? line.slice(1) : inline ? inline[1]! : null;
    if (recipe === null) {
      const shell = /\$\(shell\s+([^)]*)\)/.exec(line);
      if (shell) out.push(shell[1]!);
      continue;
    }
    out.push(recipe.replace(/^[\s@+-]+/, '').replace(/\$\$/g, '$'));
  }
  return out.join('\n');
}

/** `script [opts] -c 'cmd' [file]`: runs the command in a new pty. */
const script: Handler = (state) => {
  const read = optionsOrUnknown(state, {
    flags: 'aefqhV', values: 'cEmoTIOB', optional: 't',
    longValues: ['command', 'echo', 'logging-format', 'output-limit', 'log-timing', 'log-in', 'log-out', 'log-io'],
    longFlags: ['append', 'return', 'flush', 'force', 'quiet', 'help', 'version'],
    longOptional: ['timing'],
  });
  if (isOutcome(read)) return read;
  const command = valueOf(read, '-c', '--command');
  if (command === undefined) return { kind: 'final' }; // an interactive shell
  return { kind: 'nested', wrapper: 'script -c', script: command };
};

/** GNU parallel: `parallel [opts] cmd ::: args`, `parallel ::: 'cmd1' 'cmd2'`, input lines as arguments. */
const parallel: Handler = (state) => {
  const read = readOptions(state.argv, 1, {
    flags: 'kuvX0qgmpr', values: 'jdSaIEPnNlLs',
    longValues: ['jobs', 'delimiter', 'sshlogin', 'arg-file', 'replace', 'eof', 'max-procs', 'max-args', 'colsep', 'joblog', 'results', 'tmpdir', 'timeout', 'delay', 'retries', 'tagstring', 'workdir', 'basefile', 'env', 'shebang-wrap'],
    lenient: true,
  });
  if (has(read, '--sshlogin', '-S')) return opaque('parallel', 'runs commands on remote hosts');
  const rest = state.argv.slice(read.next);
  const sep = rest.findIndex((w) => w === ':::' || w === '::::' || w === ':::+' || w === '::::+');
  const command = (sep < 0 ? rest : rest.slice(0, sep)).join(' ');
  const args = sep < 0 ? [] : rest.slice(sep + 1).filter((w) => !w.startsWith(':::'));
  const fromFiles = sep >= 0 && rest[sep]!.startsWith('::::');
  const placeholder = valueOf(read, '-I', '--replace') ?? '{}';
  const fill = (arg: string): string => (command.includes(placeholder) ? command.split(placeholder).join(arg) : `${command} ${arg}`);
  let scripts: string[];
  if (command === '') scripts = fromFiles || sep < 0 ? [] : args;
  else if (sep < 0 || fromFiles) scripts = [fill(RUN_TIME_WORD)];
  else scripts = args.map(fill);
  if (command === '' && scripts.length === 0) return opaque('parallel', 'runs commands read from its input');
  return { kind: 'nested', wrapper: 'parallel', script: scripts.join('\n') };
};

/** `busybox APPLET args` runs that applet (`busybox sh -c …`, `busybox rm -rf …`). */
const busybox: Handler = (state) => {
  if (state.argv.length < 2 || state.argv[1]!.startsWith('-')) return { kind: 'final' };
  return drop(state, 1, 'busybox');
};

const TMUX_GLOBAL: OptionSpec = { flags: '2CDhlNuvV', values: 'cfLST' };
const TMUX_COMMAND_OPTIONS: OptionSpec = { flags: 'AdDEhIkPvXbZ', values: 'cefFlnstxyNHp', lenient: false };
const TMUX_RUNS = new Set(['new-session', 'new', 'new-window', 'neww', 'split-window', 'splitw', 'respawn-pane', 'respawnp', 'respawn-window', 'respawnw', 'run-shell', 'run', 'display-popup', 'popup']);
const TMUX_KEYS = new Set(['send-keys', 'send']);

/** `tmux new 'cmd'`, `tmux send-keys -t T 'cmd' Enter`, `tmux -c 'cmd'`: what the pane's shell runs. */
const tmux: Handler = (state) => {
  const global = readOptions(state.argv, 1, TMUX_GLOBAL);
  if (global.error) return { kind: 'unknown', reason: `${global.error} for tmux` };
  const shellCommand = valueOf(global, '-c');
  if (shellCommand !== undefined) return { kind: 'nested', wrapper: 'tmux -c', script: shellCommand };
  const sub = state.argv[global.next];
  if (sub === undefined) return opaque('tmux', 'starts a shell');
  if (state.dynamic.includes(global.next)) return opaque('tmux', 'runs a command only known at run time');
  if (!TMUX_RUNS.has(sub) && !TMUX_KEYS.has(sub)) return { kind: 'final' };
  const read = readOptions(state.argv, global.next + 1, { ...TMUX_COMMAND_OPTIONS, lenient: true });
  const words = state.argv.slice(read.next);
  const target = valueOf(read, '-t', '-s');
  const targetOf = target ? { target: `tmux ${target}` } : {};
  if (TMUX_KEYS.has(sub)) {
    const literal = has(read, '-l');
    const text = words.map((w) => (!literal && /^(Enter|C-m|C-j|KPEnter)$/.test(w) ? '\n' : !literal && /^(C-.|M-.|Escape|Tab|Space|BSpace|Up|Down|Left|Right)$/.test(w) ? (w === 'Space' ? ' ' : '') : w)).join('');
    return text.trim() === '' ? { kind: 'final' } : { kind: 'nested', wrapper: 'tmux send-keys', script: text, ...targetOf };
  }
  if (words.length === 0) return sub.startsWith('run') ? { kind: 'final' } : opaque('tmux', 'starts a shell in the new pane');
  return { kind: 'nested', wrapper: `tmux ${sub}`, script: words.join(' '), ...targetOf };
};

/** `chroot [--userspec=U:G] [--groups=G] [--skip-chdir] NEWROOT [command args]`. */
const chroot: Handler = (state) => {
  const read = optionsOrUnknown(state, { longValues: ['userspec', 'groups'], longFlags: ['skip-chdir', 'help', 'version'] });
  if (isOutcome(read)) return read;
  if (has(read, '--help', '--version') || read.next >= state.argv.length) return { kind: 'final' };
  const root = state.argv[read.next]!;
  if (read.next + 1 >= state.argv.length) return opaque('chroot', `starts a shell in ${root}`);
  return drop(state, read.next + 1, 'chroot', `root ${root}`);
};

const unshare = simpleWrapper({
  flags: 'muinpUCTfrchV', values: 'RwSG',
  longOptional: ['mount', 'uts', 'ipc', 'net', 'pid', 'user', 'cgroup', 'time', 'kill-child', 'mount-proc', 'map-user', 'map-group', 'map-users', 'map-groups'],
  longValues: ['propagation', 'setgroups', 'root', 'wd', 'setuid', 'setgid', 'monotonic', 'boottime'],
  longFlags: ['fork', 'map-root-user', 'map-current-user', 'map-auto', 'keep-caps', 'help', 'version'],
}, ['-h', '-V', '--help', '--version'], 'unshare');

const nsenter = simpleWrapper({
  flags: 'amuinpUCTFrwZhV', values: 'tSGW', optional: '',
  longOptional: ['mount', 'uts', 'ipc', 'net', 'pid', 'user', 'cgroup', 'time', 'root', 'wd'],
  longValues: ['target', 'setuid', 'setgid', 'wdns', 'env'],
  longFlags: ['all', 'preserve-credentials', 'no-fork', 'follow-context', 'help', 'version'],
}, ['-h', '-V', '--help', '--version'], 'nsenter');

const strace: Handler = (state) => {
  const read = optionsOrUnknown(state, {
    flags: 'AcCdDfFhiknqrtTvVwxyYzZ', values: 'abeEIoOpPsSuUX',
    longValues: ['attach', 'user', 'env', 'output', 'string-limit', 'columns', 'detach-on', 'interruptible', 'trace', 'signal', 'status', 'trace-path', 'summary-sort-by', 'const-print-style', 'abbrev', 'verbose', 'raw', 'read', 'write', 'fault', 'inject', 'quiet', 'kvm', 'decode-fds', 'decode-pids', 'silence', 'summary-columns', 'trace-fds', 'argv0'],
    longOptional: ['daemonize', 'absolute-timestamps', 'timestamps', 'syscall-times', 'secontext', 'stack-trace', 'seccomp-bpf', 'summary', 'summary-only', 'output-separately', 'follow-forks', 'tips'],
    longFlags: ['help', 'version', 'summary-wall-clock', 'no-abbrev', 'successful-only', 'failed-only', 'debug', 'instruction-pointer', 'relative-timestamps'],
  });
  if (isOutcome(read)) return read;
  if (has(read, '-h', '-V', '--help', '--version') || read.next >= state.argv.length) return { kind: 'final' };
  return drop(state, read.next, 'strace');
};

/** dotenv-cli: `dotenv [-e file]… [-v K=V]… [-c [env]] [--] command args`; values from files we do not read. */
const dotenv: Handler = (state) => {
  const read = readOptions(state.argv, 1, { values: 'evp', optional: 'c', flags: 'o', longFlags: ['debug', 'quiet', 'help'], lenient: true });
  if (has(read, '-p', '--help') || read.next >= state.argv.length) return { kind: 'final' };
  for (const o of read.options) {
    if (o.name === '-v' && o.value && /^[A-Za-z_][A-Za-z0-9_]*=/.test(o.value)) {
      const eq = o.value.indexOf('=');
      state.env = { ...state.env, [o.value.slice(0, eq)]: o.value.slice(eq + 1) };
    }
  }
  return drop(state, read.next, 'dotenv');
};

export const EXEC_PROGRAM_HANDLERS: Record<string, Handler> = {
  find, awk, gawk: awk, mawk: awk, nawk: awk, sed, gsed: sed, make, gmake: make, script, parallel, busybox, tmux, chroot, unshare,
  nsenter, strace, ltrace: strace, dotenv,
};
