// The shapes every harness adapter shares: what a hook call asks, what blastgate answers, what goes out.
import type { Decision } from '../types.js';

/** The one thing a pre-tool hook asks blastgate: may this shell command run here? */
export interface ShellRequest {
  command: string;
  /** Absolute directory the harness will run the command in, when its payload says. */
  cwd?: string;
  /** False when the harness's mode shows an `ask` to no human (Claude Code bypassPermissions, dontAsk, auto). */
  canAsk?: boolean;
}

/** A verdict already put into words, so each adapter only maps it onto its protocol. */
export interface HookVerdict {
  /** `none`: not a shell call at all — the hook has no opinion and the harness's own rules apply. */
  decision: Decision | 'none';
  /** For the human: the blast-radius summary a harness shows in its permission prompt or notice. */
  forUser: string;
  /** For the model when the command is refused: what was stopped, why, and what to do instead. */
  forModel: string;
  /** For the model when a confirmation was needed but the harness cannot ask, so it became a refusal. */
  forModelCannotAsk: string;
  /** The harness can show an `ask` to a human for this call (from the request; default true). */
  canAsk?: boolean;
}

/** What the hook process writes and how it exits. */
export interface HookOutput {
  stdout: string;
  stderr?: string;
  exitCode: number;
}

/** One harness's pre-tool-use protocol. */
export interface HookAdapter {
  /** The name used on the command line: `blastgate hook <name>`. */
  name: string;
  /**
   * The shell command in a payload; `null` when the payload is this harness's but not a shell call.
   * Throws `HookInputError` when the payload is not one this harness sends (fail closed upstream).
   */
  parseRequest(json: unknown, env?: Record<string, string | undefined>): ShellRequest | null;
  formatResponse(verdict: HookVerdict): HookOutput;
}

/** A payload the adapter cannot read; the hook answers with a refusal instead of guessing. */
export class HookInputError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, 'name', { value: 'HookInputError', enumerable: false });
  }
}

// Small readers shared by the adapters; each throws HookInputError with the field's path.

export const asObject = (v: unknown, where: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HookInputError(`${where}: expected a JSON object`);
  return v as Record<string, unknown>;
};

export const asString = (v: unknown, where: string): string => {
  if (typeof v !== 'string') throw new HookInputError(`${where}: expected a string, got ${v === undefined ? 'nothing' : typeof v}`);
  return v;
};

/** An optional absolute directory; anything else is ignored (the caller falls back to its own cwd). */
export const optionalDir = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('/') ? v : undefined);
