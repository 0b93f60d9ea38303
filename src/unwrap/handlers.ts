// Which handler peels which program: one table, built from the concern files beside this one.
import { execPrograms } from './exec-programs-data.js';
import { EXEC_PROGRAM_HANDLERS } from './exec-programs.js';
import { envWrapper } from './env.js';
import { EVALUATION_POINTS, promptExpansion } from './evaluation-points.js';
import { npmRunners } from './npm-runners.js';
import { doas, runuser, su, sudo } from './privilege.js';
import { PROCESS_WRAPPERS } from './process.js';
import { REMOTE_HANDLERS } from './remote.js';
import { evalBuiltin, mapfile, shell, SHELLS, source, trap } from './shells.js';
import { basename, type Handler, type Outcome, type State, type UnwrapContext } from './state.js';

const BUILTINS: Record<string, Handler> = {
  eval: evalBuiltin,
  source,
  '.': source,
  trap,
  mapfile,
  readarray: mapfile,
};

const HANDLERS: Record<string, Handler> = {
  sudo,
  doas,
  su,
  runuser,
  env: envWrapper,
  ...PROCESS_WRAPPERS,
  ...BUILTINS,
  ...EVALUATION_POINTS,
  ...EXEC_PROGRAM_HANDLERS,
  ...REMOTE_HANDLERS,
};

/** True for a program name unwrap peels or looks inside (used by npm runners: `npx sh -c …`). */
export const isWrapper = (name: string): boolean => SHELLS.has(name) || name in HANDLERS;

Object.assign(HANDLERS, npmRunners(isWrapper));

/** One peeling step for the command in `state`. */
export function peelOnce(state: State, ctx: UnwrapContext): Outcome {
  const name = basename(state.argv[0]!);
  const prompt = promptExpansion(state);
  if (prompt) return prompt;
  if (SHELLS.has(name)) return shell(state, name, ctx);
  const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
  if (handler) return handler(state, ctx);
  const runs = (ctx.execPrograms ?? execPrograms())[name];
  if (runs !== undefined && Object.hasOwn(ctx.execPrograms ?? execPrograms(), name)) {
    return { kind: 'final', unknown: { reason: `${name} runs other programs (${runs}); blastgate cannot see which`, agentOnly: true } };
  }
  return { kind: 'final' };
}
