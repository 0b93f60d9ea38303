// Shells and builtins that run a string or a file as code: `bash -c`, `sh x.sh`, `source`, `eval`, `trap`,
// `bash <(…)`, a shell fed its script on stdin. A script we can read is followed as a nested line.
import { posix } from 'node:path';
import { parseSimple } from '../stages/parse.js';
import { outputOf } from '../stages/pipes.js';
import type { StdinSource } from '../types.js';
import type { Handler, Outcome, State, UnwrapContext } from './state.js';

export const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox-sh', 'rbash', 'yash', 'posh']);

/**
 * `bash [options] -c 'script' [$0 [$1…]]` runs a string; `bash file` runs a file; a shell given no operand
 * reads its commands from stdin (a heredoc or here-string we can read, anything else we cannot).
 */
export function shell(state: State, name: string, ctx: UnwrapContext): Outcome {
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
      if (word === '--rcfile' || word === '--init-file') return { kind: 'unknown', reason: `${name} ${word}: reads a startup file as code` };
      continue; // --login, --noprofile, --norc, --posix … (zsh: --<option-name>)
    }
    if (!/^[-+]./.test(word)) break;
    for (const letter of word.slice(1)) {
      if (letter === 'c' && word.startsWith('-')) commandString = true;
      else if (letter === 's') fromStdin = true;
      else if (letter === 'o' || letter === 'O') i++; // `-o pipefail`: the option name is the next word
    }
  }
  const startup = startupFile(state, name);
  if (startup) return startup;
  if (commandString) {
    if (i >= state.argv.length) return { kind: 'final' };
    const rest = state.argv.slice(i + 1);
    const positional = { words: rest, dynamic: rest.map((_w, k) => state.dynamic.includes(i + 1 + k)) };
    return { kind: 'nested', wrapper: `${name} -c`, script: state.argv[i]!, positional };
  }
  if (i < state.argv.length && !fromStdin) {
    const rest = state.argv.slice(i);
    const positional = { words: rest, dynamic: rest.map((_w, k) => state.dynamic.includes(i + k)) };
    return scriptFile(state, ctx, i, `${name} (script)`, positional);
  }
  return scriptOnStdin(state, state.stdin, name, ctx);
}

/** A shell reading its commands from stdin. */
function scriptOnStdin(state: State, stdin: StdinSource, name: string, ctx: UnwrapContext): Outcome {
  if (stdin.kind === 'buffered' && stdin.truncated) {
    return { kind: 'unknown', reason: `${name} runs commands from stdin that were only partly read` };
  }
  if (stdin.kind === 'heredoc' || stdin.kind === 'herestring' || stdin.kind === 'buffered') {
    return { kind: 'nested', wrapper: `${name} (stdin)`, script: stdin.body };
  }
  if (stdin.kind === 'pipe') return { kind: 'unknown', reason: `${name} runs commands read from a pipe` };
  if (stdin.kind === 'file') return scriptAt(state, ctx, stdin.path, `${name} < file`);
  return { kind: 'final' }; // interactive shell
}

/** `BASH_ENV=x bash …` / `ENV=x sh -i`: the shell first runs that file as code. */
function startupFile(state: State, name: string): Outcome | null {
  const file = state.env.BASH_ENV ?? (name !== 'bash' ? state.env.ENV : undefined);
  if (file === undefined || file === '') return null;
  return { kind: 'unknown', reason: `${name} runs the startup file ${file} (BASH_ENV/ENV) as code` };
}

/** `bash FILE`, `. FILE`, `source FILE`: the script at argv[at]. */
function scriptFile(state: State, ctx: UnwrapContext, at: number, wrapper: string, positional?: { words: string[]; dynamic: boolean[] }): Outcome {
  const word = state.argv[at]!;
  if (state.dynamic.includes(at)) {
    const inner = /^<\(([\s\S]*)\)$/.exec(word);
    if (inner) {
      const body = knownOutput(inner[1]!);
      if (body !== null) return { kind: 'nested', wrapper: `${wrapper} <(…)`, script: body, ...(positional ? { positional } : {}) };
      return { kind: 'final', unknown: { reason: `${wrapper.split(' ')[0]} runs commands produced by a process substitution`, agentOnly: true } };
    }
    return { kind: 'unknown', reason: `${wrapper.split(' ')[0]} runs a script whose path is only known at run time` };
  }
  return scriptAt(state, ctx, word, wrapper, positional);
}

/** Reads the script at `path`: written earlier on this line, else the file on disk. */
function scriptAt(state: State, ctx: UnwrapContext, path: string, wrapper: string, positional?: { words: string[]; dynamic: boolean[] }): Outcome {
  const program = wrapper.split(' ')[0]!;
  if (/^\/dev\/(stdin|fd\/0)$|^\/proc\/self\/fd\/0$/.test(path)) return scriptOnStdin(state, state.stdin, program, ctx);
  const written = writtenContent(state, path);
  if (written !== undefined) {
    if (written === null) return { kind: 'unknown', reason: `${program} runs ${path}, written on this line with content not known` };
    return { kind: 'nested', wrapper, script: written, ...(positional ? { positional } : {}) };
  }
  if (!ctx.readFile) return { kind: 'final' };
  const text = ctx.readFile(path);
  if (text === undefined) return { kind: 'final' }; // no such file: the shell fails, nothing runs
  if (text === null) return { kind: 'final', unknown: { reason: `${program} runs ${path}, which could not be read`, agentOnly: true } };
  return { kind: 'nested', wrapper, script: text, fromDisk: true, ...(positional ? { positional } : {}) };
}

/** Content of a file written earlier on the line (undefined: not written here). */
export function writtenContent(state: State, path: string): string | null | undefined {
  if (!state.written) return undefined;
  const want = posix.normalize(path);
  for (const [written, content] of Object.entries(state.written)) if (posix.normalize(written) === want) return content;
  return undefined;
}

/** The text a process substitution or pipe producer prints, when the line spells it out. */
export function knownOutput(commandText: string): string | null {
  const parsed = parseSimple(commandText.trim());
  if (!parsed || parsed.commands.length !== 1) return null;
  const out = outputOf(parsed.commands[0]!);
  return out && (out.kind === 'herestring' || out.kind === 'heredoc') ? out.body : null;
}

/** `source FILE [args]` / `. FILE`: runs FILE in this shell. */
export const source: Handler = (state, ctx) => {
  let at = 1;
  if (state.argv[at] === '--') at++;
  if (at >= state.argv.length) return { kind: 'final' };
  const rest = state.argv.slice(at);
  const positional = { words: rest, dynamic: rest.map((_w, k) => state.dynamic.includes(at + k)) };
  return scriptFile(state, ctx, at, `${state.argv[0]} (script)`, positional);
};

export const evalBuiltin: Handler = (state) => {
  if (state.argv.length < 2) return { kind: 'final' };
  return { kind: 'nested', wrapper: 'eval', script: state.argv.slice(1).join(' ') };
};

/** `trap 'commands' EXIT INT …`: the string runs as code when the signal comes (or the shell exits). */
export const trap: Handler = (state) => {
  let at = 1;
  if (state.argv[at] === '--') at++;
  const action = state.argv[at];
  if (action === undefined || /^-[lp]/.test(action) || state.argv.length <= at + 1) return { kind: 'final' };
  if (state.dynamic.includes(at)) return { kind: 'unknown', reason: 'trap runs a string only known at run time' };
  if (action === '' || action === '-') return { kind: 'final' };
  return { kind: 'nested', wrapper: 'trap', script: action };
};

/** `mapfile -C callback` / `readarray -C`: the callback runs as code for each line read. */
export const mapfile: Handler = (state) => {
  for (let i = 1; i < state.argv.length; i++) {
    const word = state.argv[i]!;
    const attached = /^-[^-]*C(.+)$/.exec(word);
    if (attached || /^-[^-]*C$/.test(word)) {
      const callback = attached ? attached[1]! : state.argv[i + 1];
      if (callback === undefined) return { kind: 'final' };
      if (state.dynamic.includes(attached ? i : i + 1)) return { kind: 'unknown', reason: 'mapfile -C with a callback only known at run time' };
      return { kind: 'nested', wrapper: 'mapfile -C', script: callback };
    }
  }
  return { kind: 'final' };
};
