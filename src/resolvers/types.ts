// The contract of a blast-radius resolver: best effort, bounded in time, never decides anything.
import type { Actor, Invocation, Match, SimpleCommand, Target } from '../types.js';

export interface ResolveContext {
  /** The environment the command will see. */
  env: Record<string, string | undefined>;
  cwd: string;
  /** Deadline for everything the resolver does (subprocesses, queries). */
  timeoutMs: number;
  /** May the resolver make network calls (e.g. a read-only API query)? Off unless policy allows. */
  network: boolean;
  signal: AbortSignal;
  /** Who runs the command (a resolver may do more for an agent, e.g. plan what an apply would do). */
  actor?: Actor;
  /** The whole line the command is part of: other commands may change what it acts on before it runs. */
  line?: { commands: SimpleCommand[]; invocations: Invocation[] };
}

/** Learn what the matched command would hit. Return undefined when there is nothing to say. */
export type Resolver = (inv: Invocation, matches: Match[], ctx: ResolveContext) => Promise<Target | undefined>;
