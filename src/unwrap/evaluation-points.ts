// Bash evaluation points: places where bash runs text as code that no parser sees as a command —
// array subscripts (arithmetic, which expands `$(…)`) in `printf -v`, `declare`, `read`, `test -v`, `let`,
// `unset`; the prompt expansion `${x@P}`. What they would run cannot be followed: unknown, for everyone.
import type { Handler, Outcome, State } from './state.js';

/** A subscript or arithmetic text that expands a command substitution when bash evaluates it. */
const RUNS_IN_SUBSCRIPT = /\[[^\]]*(\$\(|`|\$\{[^}]*[@\/:])/;
const RUNS_IN_ARITHMETIC = /\$\(|`/;

const unknown = (what: string): Outcome => ({ kind: 'unknown', reason: `${what} runs a command substitution when bash evaluates it` });

/** Words that name variables (and so may carry a subscript bash evaluates). */
const namesVariables = (state: State, from: number): string[] => state.argv.slice(from).filter((w) => !w.startsWith('-') || w === '-');

function subscripted(label: string, words: (state: State) => string[]): Handler {
  return (state) => (words(state).some((w) => RUNS_IN_SUBSCRIPT.test(w)) ? unknown(label) : { kind: 'final' });
}

/** `printf -v NAME …`: NAME may be `a[$(cmd)]`. */
const printf: Handler = (state) => {
  for (let i = 1; i < state.argv.length; i++) {
    const word = state.argv[i]!;
    if (word === '--' || !word.startsWith('-')) break;
    const name = word === '-v' ? state.argv[i + 1] : word.startsWith('-v') ? word.slice(2) : undefined;
    if (name !== undefined && RUNS_IN_SUBSCRIPT.test(name)) return unknown('printf -v');
  }
  return { kind: 'final' };
};

/** `let EXPR…`: each argument is arithmetic. */
const letBuiltin: Handler = (state) => (state.argv.slice(1).some((w) => RUNS_IN_ARITHMETIC.test(w) || RUNS_IN_SUBSCRIPT.test(w)) ? unknown('let') : { kind: 'final' });

/** `test -v NAME` / `[ -v NAME ]`. */
const testBuiltin: Handler = (state) => {
  const words = state.argv.slice(1);
  return words.some((w, i) => words[i - 1] === '-v' && RUNS_IN_SUBSCRIPT.test(w)) ? unknown(`${state.argv[0]} -v`) : { kind: 'final' };
};

export const EVALUATION_POINTS: Record<string, Handler> = {
  printf,
  let: letBuiltin,
  test: testBuiltin,
  '[': testBuiltin,
  '[[': testBuiltin,
  declare: subscripted('declare', (s) => namesVariables(s, 1)),
  typeset: subscripted('typeset', (s) => namesVariables(s, 1)),
  local: subscripted('local', (s) => namesVariables(s, 1)),
  readonly: subscripted('readonly', (s) => namesVariables(s, 1)),
  export: subscripted('export', (s) => namesVariables(s, 1)),
  read: subscripted('read', (s) => namesVariables(s, 1)),
  unset: subscripted('unset', (s) => namesVariables(s, 1)),
  getopts: subscripted('getopts', (s) => namesVariables(s, 2)),
};

/** `${x@P}` (prompt expansion runs `$(…)` found in the value) in any word of the command. */
export const promptExpansion = (state: State): Outcome | null =>
  state.argv.some((w, i) => state.dynamic.includes(i) && /\$\{[^}]*@P\}/.test(w))
    ? { kind: 'unknown', reason: '${…@P} expands a prompt string, which runs the command substitutions in it' }
    : null;
