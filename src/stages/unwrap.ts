// Stage 2: peel wrappers (`sudo`, `env`, `bash -c`, `npx` …) until the real command is reached.
// Anything we cannot follow (a run-time command name, too much nesting, an unknown wrapper option)
// becomes an Unknown, never a silent pass. How each program is peeled lives in src/unwrap/<concern>.ts.
import type { ParsedLine, SimpleCommand, StdinSource, Unwrapped } from '../types.js';
import { MAX_COMMANDS } from '../parse/words.js';
import { peelOnce } from '../unwrap/handlers.js';
import { enterArgv, enterNested, initialState, toInvocation, unknownResult, type State, type UnwrapContext } from '../unwrap/state.js';
import { parseLine, parseSimple } from './parse.js';
import { withLineContext } from './pipes.js';

export { binaryOfPackage } from '../unwrap/npm-runners.js';
export { basename } from '../unwrap/state.js';
export type { UnwrapContext } from '../unwrap/state.js';

/** How many nested shell strings (`bash -c`, `eval`, `watch`, `flock -c` …) we follow. */
export const MAX_UNWRAP_DEPTH = 8;
/** How many wrappers we peel from one command before giving up. */
export const MAX_STRIP_ITERATIONS = 32;
/** How many commands one line may unwrap to (nested scripts included) before the rest is unknown. */
export const MAX_INVOCATIONS = MAX_COMMANDS;

/** Unwraps one parsed command; nested shell strings are parsed with parseLine (may load the bash grammar). */
export async function unwrap(cmd: SimpleCommand, ctx: UnwrapContext): Promise<Unwrapped> {
  const steps = unwrapSteps(initialState(cmd), ctx, ctx.depth ?? 0, { count: 0 });
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
  const steps = unwrapSteps(initialState(cmd), ctx, ctx.depth ?? 0, { count: 0 });
  let step = steps.next();
  while (!step.done) {
    const parsed = parseSimple(step.value);
    if (!parsed) return null;
    step = steps.next(withLineContext(parsed));
  }
  return step.value;
}

/** Peels one command; yields each nested script to parse and receives its ParsedLine back. */
function* unwrapSteps(state: State, ctx: UnwrapContext, depth: number, budget: { count: number }): Generator<string, Unwrapped, ParsedLine> {
  for (let iteration = 0; iteration < MAX_STRIP_ITERATIONS; iteration++) {
    if (state.argv.length === 0) return { invocations: [], unknowns: [] };
    if (state.dynamic.includes(0)) return unknownResult('command name only known at run time', state.text);
    const before: State = { ...state };
    const outcome = peelOnce(state, ctx);
    if (outcome.kind === 'peeled') continue;
    if (outcome.kind === 'final') {
      const unknowns = outcome.unknown ? unknownResult(outcome.unknown.reason, state.text, outcome.unknown.agentOnly).unknowns : [];
      return { invocations: [toInvocation(state)], unknowns };
    }
    if (outcome.kind === 'unknown') return unknownResult(outcome.reason, state.text, outcome.agentOnly);
    if (depth + 1 > MAX_UNWRAP_DEPTH) return unknownResult('too deeply nested', state.text);
    const result: Unwrapped = { invocations: outcome.keep ? [toInvocation(before)] : [], unknowns: [] };
    const inner: State[] = [];
    if (outcome.kind === 'nested') {
      const parsed: ParsedLine = yield outcome.script;
      result.unknowns.push(...parsed.unknowns);
      for (const cmd of parsed.commands) inner.push(enterNested(state, cmd, outcome.wrapper, outcome.positional, outcome.target));
    } else {
      const outer = outcome.target ? { ...state, targets: [...(state.targets ?? []), outcome.target] } : state;
      for (const cmd of outcome.commands) inner.push(enterArgv(outer, cmd, outcome.wrapper));
    }
    for (const innerState of inner) {
      if (++budget.count > MAX_INVOCATIONS) {
        result.unknowns.push({ reason: `more than ${MAX_INVOCATIONS} commands`, text: state.text });
        break;
      }
      const innerResult: Unwrapped = yield* unwrapSteps(innerState, ctx, depth + 1, budget);
      result.invocations.push(...innerResult.invocations);
      result.unknowns.push(...innerResult.unknowns);
    }
    // A script file on disk is judged for what it visibly runs; what cannot be judged in it (`exec "$@"`,
    // `$EDITOR`) stops an agent, not a person running their own script (as before scripts were read).
    if (outcome.kind === 'nested' && outcome.fromDisk) result.unknowns = result.unknowns.map((u) => ({ ...u, agentOnly: true }));
    return result;
  }
  return unknownResult('too deeply nested', state.text);
}
