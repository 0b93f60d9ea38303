// The contract of a blast-radius resolver: best effort, bounded in time, never decides anything.
import type { Invocation, Match, Target } from '../types.js';

export interface ResolveContext {
  /** The environment the command will see. */
  env: Record<string, string | undefined>;
  cwd: string;
  /** Deadline for everything the resolver does (subprocesses, queries). */
  timeoutMs: number;
  /** May the resolver make network calls (e.g. a read-only API query)? Off unless policy allows. */
  network: boolean;
  signal: AbortSignal;
}

/** Learn what the matched command would hit. Return undefined when there is nothing to say. */
export type Resolver = (inv: Invocation, matches: Match[], ctx: ResolveContext) => Promise<Target | undefined>;
