// What unwrap knows about one command while its wrappers come off, and the moves a wrapper can make.
import type { Invocation, SimpleCommand, Unknown, Unwrapped } from '../types.js';

export interface UnwrapContext {
  /** npm package → the binary it provides, e.g. '@railway/cli' → 'railway'. */
  packages: Record<string, string>;
  /** Programs known to run their arguments, a script or a string as code (ruleset data `exec-programs`). */
  execPrograms?: Record<string, string>;
  /**
   * Reads a file a wrapper names (a script, package.json, a Makefile): its text, null when it exists but cannot
   * be read safely (not a regular file, too big), undefined when there is none. Absent: nothing is read.
   */
  readFile?: (path: string) => string | null | undefined;
  /** Nesting depth already used (callers normally leave it unset). */
  depth?: number;
}

/**
 * Everything known about one command while its wrappers come off: an Invocation in the making, whose
 * program is only set when an npm runner named it differently from argv[0] (`npx @railway/cli` → railway).
 */
export interface State extends Omit<Invocation, 'program'> {
  program?: string;
  /** Files written earlier on the same line, path → content (null: content not known). */
  written?: Record<string, string | null>;
}

export interface Positional {
  words: string[];
  dynamic: boolean[];
}

/** What one wrapper handler decided (`keep`: the program itself is judged too, not only what it runs). */
export type Outcome =
  | { kind: 'peeled' } // state was updated; look at the new argv[0]
  | { kind: 'final'; unknown?: { reason: string; agentOnly?: boolean } } // argv[0] runs (and what it runs next may be unknown)
  | {
    kind: 'nested'; wrapper: string; script: string; positional?: Positional; target?: string; keep?: boolean;
    /** Read from a file on disk (not the line): what cannot be judged in it counts for agents only. */
    fromDisk?: boolean;
  }
  | { kind: 'nested-argv'; wrapper: string; commands: NestedArgv[]; target?: string; keep?: boolean }
  | { kind: 'unknown'; reason: string; agentOnly?: boolean };

/** An argv a program runs itself (`find -exec rm {} ;`): no shell reads it. */
export interface NestedArgv {
  argv: string[];
  dynamic: number[];
  argsUnknown?: boolean;
}

export type Handler = (state: State, ctx: UnwrapContext) => Outcome;

export function initialState(cmd: SimpleCommand): State {
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
    ...(cmd.written ? { written: cmd.written } : {}),
  };
}

export function unknownResult(reason: string, text: string, agentOnly = false): Unwrapped {
  const unknown: Unknown = agentOnly ? { reason, text, agentOnly } : { reason, text };
  return { invocations: [], unknowns: [unknown] };
}

export function toInvocation(state: State): Invocation {
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
    ...(state.targets?.length ? { targets: state.targets } : {}),
  };
}

/** A command found inside a nested script inherits the outer env, stdin and wrapper chain. */
export function enterNested(outer: State, inner: SimpleCommand, wrapper: string, positional?: Positional, target?: string): State {
  const { argv, dynamic } = positional ? substitutePositional(inner, positional) : { argv: inner.argv, dynamic: inner.dynamic };
  const targets = [...(outer.targets ?? []), ...(target ? [target] : [])];
  const written = inner.written || outer.written ? { ...outer.written, ...inner.written } : undefined;
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
    ...(targets.length ? { targets } : {}),
    ...(written ? { written } : {}),
  };
}

/** An argv run directly by a program (`find -exec`), inheriting the outer env and wrapper chain. */
export function enterArgv(outer: State, inner: NestedArgv, wrapper: string): State {
  const { program: _outerProgram, ...rest } = outer;
  return {
    ...rest,
    argv: [...inner.argv],
    dynamic: [...inner.dynamic],
    wrappers: [...outer.wrappers, wrapper],
    argsUnknown: outer.argsUnknown || inner.argsUnknown === true,
  };
}

/** `sh -c 'terraform "$@"' sh destroy`: puts the known positional words in place of `$1`, `$@` … */
function substitutePositional(cmd: SimpleCommand, positional: Positional): { argv: string[]; dynamic: number[] } {
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
export function drop(state: State, count: number, wrapper: string, target?: string): Outcome {
  state.argv = state.argv.slice(count);
  state.dynamic = state.dynamic.filter((i) => i >= count).map((i) => i - count);
  state.wrappers = [...state.wrappers, wrapper];
  if (target) state.targets = [...(state.targets ?? []), target];
  return { kind: 'peeled' }; // an empty argv means nothing is left to run
}

/** Last path component: `/usr/local/bin/terraform` and `./node_modules/.bin/terraform` → `terraform`. */
export function basename(word: string): string {
  const trimmed = word.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function isAssignment(state: State, index: number): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(state.argv[index]!) && !state.dynamic.includes(index);
}
