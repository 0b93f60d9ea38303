// `env [-i|-] [-u NAME] [-S 'words'] [-C dir] [NAME=value]… command`: the environment changes, the command runs.
import { parseSimple } from '../stages/parse.js';
import { splitAssignment } from '../parse/words.js';
import { resolveLong, type OptionSpec } from './options.js';
import { drop, isAssignment, type Outcome, type State } from './state.js';

const ENV_LONG: OptionSpec = {
  longFlags: ['ignore-environment', 'null', 'debug', 'help', 'version', 'list-signal-handling'],
  longValues: ['unset', 'chdir', 'split-string', 'argv0'],
  longOptional: ['block-signal', 'default-signal', 'ignore-signal'],
};
/** env's short options that take a value. */
const ENV_SHORT_VALUES = 'uCSa';
/** Bound on `-S` strings that themselves contain `-S`. */
const MAX_SPLIT_STRINGS = 8;

/** A name bash would import as a function (`BASH_FUNC_x%%`): its body runs when the name is called. */
export const isExportedFunction = (name: string): boolean => /^BASH_FUNC_.*(%%|\(\))$/.test(name);

export function envWrapper(state: State): Outcome {
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
  while (i < state.argv.length && (isAssignment(state, i) || isFunctionAssignment(state, i))) {
    const [key, assigned] = splitAssignment(state.argv[i]!);
    if (isExportedFunction(key)) return { kind: 'unknown', reason: `env exports a bash function (${key}): its body runs as code` };
    state.env = { ...state.env, [key]: assigned };
    i++;
  }
  if (i >= state.argv.length) return { kind: 'final' }; // `env` alone prints the environment
  return drop(state, i, 'env');
}

const isFunctionAssignment = (state: State, i: number): boolean => /^BASH_FUNC_[^=]*=/.test(state.argv[i]!);

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
