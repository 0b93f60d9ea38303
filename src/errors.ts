// Typed errors: stages throw these; only the CLI entry point turns them into an exit code.

/** One table of every exit code blastgate itself produces. */
export const EXIT = {
  allow: 0,
  usage: 2,
  confirm: 10,
  deny: 11,
  blocked: 77,
  notFound: 127,
  internal: 70,
} as const;

const BRAND = Symbol.for('blastgate.error');

export class BlastgateError extends Error {
  constructor(message: string, readonly exitCode: number = 1, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/** Unlike `instanceof`, this holds across the separately loaded bundles (each has its own classes). */
export const isBlastgateError = (err: unknown): err is BlastgateError =>
  typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;

/** Bad invocation of blastgate itself. */
export class UsageError extends BlastgateError {
  constructor(message: string) { super(message, EXIT.usage); }
}

/** Unreadable or invalid configuration / policy file. */
export class ConfigError extends BlastgateError {
  constructor(message: string, options?: { cause?: unknown }) { super(message, EXIT.usage, options); }
}

/** Invalid ruleset; the message names file, line and key. */
export class RulesetError extends BlastgateError {
  constructor(message: string) { super(message, EXIT.usage); }
}

/** A gated command was refused (declined, timed out, denied by policy). */
export class DeniedError extends BlastgateError {
  constructor(message: string) { super(message, EXIT.blocked); }
}

export class ToolNotFoundError extends BlastgateError {
  constructor(message: string) { super(message, EXIT.notFound); }
}

/** The audit log could not be written: a gated command is refused rather than run unrecorded. */
export class AuditError extends BlastgateError {
  constructor(message: string, options?: { cause?: unknown }) { super(message, EXIT.blocked, options); }
}
