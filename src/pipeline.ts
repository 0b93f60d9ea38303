// guard(): run parse → unwrap → match/analyze → resolve → decide in order and record the trace.
import { resolve } from 'node:path';
import type { Policy } from './config/policy.js';
import type { RuleIndex } from './rulesets/types.js';
import { PayloadReader } from './payload/reader.js';
import { writtenPaths } from './payload/written.js';
import { blastOf, decide } from './stages/decide.js';
import { layerUnknowns } from './trust/broken.js';
import { matchInvocation } from './stages/match.js';
import { parseLine } from './stages/parse.js';
import { withLineContext } from './stages/pipes.js';
import { resolveTarget } from './stages/resolve.js';
import { unwrap } from './stages/unwrap.js';
import { interpreterFor } from './inline/interpreters.js';
import { scriptReader } from './unwrap/read-script.js';
import { SEVERITIES, type Actor, type Invocation, type Match, type SimpleCommand, type StdinSource, type TraceStep, type Unknown, type Verdict } from './types.js';

export type GuardInput =
  | { kind: 'argv'; argv: string[]; stdin?: StdinSource }
  | { kind: 'line'; text: string };

export interface GuardContext {
  env: Record<string, string | undefined>;
  cwd: string;
  actor: { actor: Actor; reason: string };
  index: RuleIndex;
  policy: Policy;
  /** Skip the blast-radius resolvers (e.g. `check` of a whole script, or a caller that only wants rules). */
  resolve?: boolean;
}

const commandFromArgv = (argv: string[], stdin: StdinSource = { kind: 'inherit' }): SimpleCommand => ({
  argv,
  assignments: {},
  redirects: [],
  stdin,
  dynamic: [],
  text: argv.join(' '),
});

const parseInput = async (input: GuardInput, trace: TraceStep[]) => {
  if (input.kind === 'argv') {
    trace.push({ stage: 'parse', commands: 1, unknowns: 0, parser: 'argv' });
    return { commands: [commandFromArgv(input.argv, input.stdin)], unknowns: [] as Unknown[] };
  }
  const parsed = withLineContext(await parseLine(input.text));
  trace.push({ stage: 'parse', commands: parsed.commands.length, unknowns: parsed.unknowns.length, parser: parsed.parser ?? 'shell-quote' });
  return parsed;
};

/** The directory each invocation runs in, following `cd DIR` / `pushd DIR` earlier in the line. */
const followCd = (invocations: Invocation[], start: string, home: string | undefined): string[] => {
  let cwd = start;
  return invocations.map((inv) => {
    const here = cwd;
    const dir = inv.argv[1];
    if ((inv.program === 'cd' || inv.program === 'pushd') && dir !== undefined && !inv.dynamic.includes(1)) {
      cwd = dir === '~' || dir.startsWith('~/') ? resolve(home ?? start, `.${dir.slice(1)}`) : resolve(cwd, dir);
    }
    return here;
  });
};

const worst = (matches: Match[]): Match | undefined =>
  [...matches].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity))[0];

export const guard = async (input: GuardInput, ctx: GuardContext): Promise<Verdict> => {
  const trace: TraceStep[] = [];
  const parsed = await parseInput(input, trace);
  const unknowns: Unknown[] = [...parsed.unknowns];
  const invocations: Invocation[] = [];
  const unwrapOptions = { packages: ctx.index.packages, readFile: scriptReader(ctx.cwd) };
  for (const cmd of parsed.commands) {
    const result = await unwrap(cmd, unwrapOptions);
    unknowns.push(...result.unknowns);
    invocations.push(...result.invocations);
    trace.push({ stage: 'unwrap', from: cmd.text, to: result.invocations.map((i) => i.argv.join(' ')), wrappers: [...new Set(result.invocations.flatMap((i) => i.wrappers))] });
  }
  let cwds = followCd(invocations, ctx.cwd, ctx.env.HOME);
  const reader = new PayloadReader(writtenPaths(parsed.commands, ctx.env, ctx.cwd));
  // Code handed to an interpreter (python -c, node -e, a script): what it would run joins the line.
  const inline = !invocations.some((i) => interpreterFor(i.program))
    ? { invocations: [], unknowns: [] }
    : await (await import('./inline/expand.js')).expandInline(invocations, cwds, {
    line: async (text) => {
      const nested = withLineContext(await parseLine(text));
      const found = { invocations: [] as Invocation[], unknowns: [...nested.unknowns] };
      for (const cmd of nested.commands) {
        const r = await unwrap(cmd, unwrapOptions);
        found.invocations.push(...r.invocations);
        found.unknowns.push(...r.unknowns);
      }
      return found;
    },
    argv: async (argv) => unwrap(commandFromArgv(argv), unwrapOptions),
    agentOnly: (u) => ({ ...u, agentOnly: true }),
  }, reader);
  if (inline.invocations.length || inline.unknowns.length) {
    invocations.push(...inline.invocations);
    unknowns.push(...inline.unknowns);
    trace.push({ stage: 'unwrap', from: 'inline code', to: inline.invocations.map((i) => i.argv.join(' ')), wrappers: [...new Set(inline.invocations.flatMap((i) => i.wrappers))] });
    cwds = followCd(invocations, ctx.cwd, ctx.env.HOME);
  }
  const matches: Match[] = [];
  const tools: Array<string | null> = [];
  for (const [n, inv] of invocations.entries()) {
    const result = await matchInvocation(inv, n, { index: ctx.index, env: ctx.env, cwd: cwds[n]!, reader });
    matches.push(...result.matches);
    unknowns.push(...result.unknowns);
    unknowns.push(...layerUnknowns(ctx.index, ctx.policy.problems, inv.program, result.matches.length > 0));
    tools.push(result.tool);
    trace.push(...result.trace);
    // An agent typing into a tool's terminal session: each statement it sends is never seen by the gate.
    if (result.interactive && ctx.actor.actor === 'agent') {
      unknowns.push({ reason: `${inv.program} reads commands from a terminal here (an interactive session the gate cannot see into); pass the commands as arguments or in a file instead`, text: inv.text });
    }
  }
  const top = worst(matches);
  let target = null;
  if (top && ctx.resolve !== false) {
    const resolved = await resolveTarget({
      invocation: invocations[top.invocation]!,
      matches: matches.filter((m) => m.invocation === top.invocation),
      tool: top.tool,
      callerEnv: ctx.env,
      cwd: cwds[top.invocation]!,
      timeoutMs: ctx.policy.resolve.timeout,
      network: ctx.policy.resolve.network,
      actor: ctx.actor.actor,
      line: { commands: parsed.commands, invocations },
    });
    target = resolved.target;
    trace.push(resolved.trace);
  }
  const decided = decide({ matches, unknowns, target, actor: ctx.actor.actor, policy: ctx.policy });
  trace.push({ stage: 'decide', actor: ctx.actor.actor, actorReason: ctx.actor.reason, production: decided.production, decision: decided.decision, reason: decided.reason });
  return {
    decision: decided.decision,
    severity: decided.severity,
    matches,
    target,
    blast: blastOf(matches, target, decided.production),
    commands: invocations.map((i) => ({ argv: i.argv, program: i.program, wrappers: i.wrappers, ...(i.targets ? { targets: i.targets } : {}) })),
    unknowns,
    actor: ctx.actor.actor,
    reason: decided.reason,
    trace,
    payloads: reader.snapshots(),
  };
};
