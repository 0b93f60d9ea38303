// Stage 5: the blast radius. Bounded by a deadline; a failing resolver yields "unknown", never "safe".
import { resolverFor } from '../resolvers/index.js';
import type { Actor, Invocation, Match, SimpleCommand, Target, TraceStep } from '../types.js';
import { effectiveEnv } from './match.js';

export interface ResolveInput {
  invocation: Invocation;
  matches: Match[];
  tool: string;
  callerEnv: Record<string, string | undefined>;
  cwd: string;
  timeoutMs: number;
  network: boolean;
  actor?: Actor;
  line?: { commands: SimpleCommand[]; invocations: Invocation[] };
}

const unknownTarget = (tool: string, why: string): Target => ({
  kind: tool,
  production: 'unknown',
  fields: {},
  unresolved: ['target'],
  notes: [why],
});

export const resolveTarget = async (input: ResolveInput): Promise<{ target: Target | null; trace: TraceStep }> => {
  const started = performance.now();
  const done = (target: Target | null) => ({ target, trace: { stage: 'resolve' as const, tool: input.tool, target, ms: performance.now() - started } });
  const resolver = await resolverFor(input.tool);
  if (!resolver) return done(null);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Target>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(unknownTarget(input.tool, `blast radius not known: resolver took longer than ${input.timeoutMs} ms`));
    }, input.timeoutMs);
  });
  try {
    const work = resolver(input.invocation, input.matches, {
      env: effectiveEnv(input.invocation, input.callerEnv),
      cwd: input.cwd,
      timeoutMs: input.timeoutMs,
      network: input.network,
      signal: controller.signal,
      ...(input.actor ? { actor: input.actor } : {}),
      ...(input.line ? { line: input.line } : {}),
    }).then((t) => t ?? null);
    return done(await Promise.race([work, deadline]));
  } catch (err) {
    return done(unknownTarget(input.tool, `blast radius not known: ${(err as Error).message}`));
  } finally {
    clearTimeout(timer);
  }
};
