// Shared shapes that flow between pipeline stages. Stages depend on these, never on each other's internals.

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type Decision = 'allow' | 'confirm' | 'deny';
export const DECISIONS: readonly Decision[] = ['allow', 'confirm', 'deny'];

export type Actor = 'human' | 'agent';

// ---------- parse ----------

/** Where a command's standard input comes from, as far as the command line says. */
export type StdinSource =
  | { kind: 'inherit' } // whatever the caller's stdin is (terminal, pipe into the shell…)
  | { kind: 'pipe'; from: string } // output of an upstream command in the same pipeline (its source text)
  | { kind: 'file'; path: string } // `< path`
  | { kind: 'heredoc'; body: string; expands: boolean } // `<<EOF` (expands: unquoted delimiter)
  | { kind: 'herestring'; body: string } // `<<< word`
  | { kind: 'buffered'; body: string; truncated: boolean } // bytes the shim read from its own stdin
  | { kind: 'terminal' }; // `run` saw a terminal on its own stdin (an interactive session)

export interface Redirect {
  op: string; // '>', '>>', '<', '<<', '<<-', '<<<', '&>', '>&', '2>' …
  target: string;
}

/** One simple command as the shell would run it. Words are unquoted; `$VAR` and `$(…)` stay literal text. */
export interface SimpleCommand {
  argv: string[];
  /** Leading `NAME=value` assignments. */
  assignments: Record<string, string>;
  redirects: Redirect[];
  stdin: StdinSource;
  /** Indices into argv of words whose value is only known at run time (`$VAR`, `$(…)`, globs). */
  dynamic: number[];
  /** Source text of the command. */
  text: string;
  /** Files written earlier on the same line (`> f`, `>> f`, `tee f`), path → content (null: not known). */
  written?: Record<string, string | null>;
}

/** Something the engine could not understand. Never treated as safe. */
export interface Unknown {
  reason: string;
  text: string;
  /**
   * Only an AI agent's verdict counts it (closed world for agents: a program that runs code unwrap cannot
   * follow); a human's verdict stays as it was.
   */
  agentOnly?: boolean;
}

export interface ParsedLine {
  commands: SimpleCommand[];
  unknowns: Unknown[];
  /** Which parser read the line (the bash parser loads only when shell-quote cannot represent it). */
  parser?: 'shell-quote' | 'tree-sitter-bash';
}

// ---------- unwrap ----------

/** A command after wrappers (`sudo`, `env`, `bash -c`, `npx` …) were peeled off. */
export interface Invocation {
  /** argv[0] is the program as written (may be a path); the rest are its arguments. */
  argv: string[];
  /** Basename of argv[0] (or the binary an npm package provides), used to pick a ruleset. */
  program: string;
  /** Environment assignments made on the command line (`X=1 cmd`, `env X=1 cmd`). */
  env: Record<string, string>;
  /** `env -i`: the caller's environment does not reach the command. */
  clearedEnv: boolean;
  /** `env -u NAME`. */
  unsetEnv: string[];
  stdin: StdinSource;
  /** The wrappers peeled, outermost first, e.g. ['sudo', 'env', 'bash -c']. */
  wrappers: string[];
  /** More arguments are appended at run time (`xargs`): the full argv is not known. */
  argsUnknown: boolean;
  /** Indices into argv of words only known at run time. */
  dynamic: number[];
  text: string;
  /** Where it runs when not here, outermost first: 'container db', 'pod api-0 (namespace prod)', 'host bastion'. */
  targets?: string[];
}

export interface Unwrapped {
  invocations: Invocation[];
  unknowns: Unknown[];
}

// ---------- match / analyze ----------

export interface BlastFacts {
  irreversible?: boolean;
  /** Backups are destroyed too (e.g. Railway volume deletion takes its backups). */
  backups?: boolean;
}

export interface Match {
  rule: string;
  severity: Severity;
  message: string;
  tool: string;
  /** Index of the invocation that fired (into Verdict.commands). */
  invocation: number;
  alternative?: string;
  blast?: BlastFacts;
  /** Analyzer details, e.g. { statement: 'DROP TABLE orders', tables: ['orders'] }. */
  details?: Record<string, unknown>;
}

/** What a payload analyzer (SQL, GraphQL …) reports about one payload. */
export interface Finding {
  /** Machine id a rule selects on, e.g. 'drop-table', 'delete-without-where', 'unknown'. */
  kind: string;
  /** One-line human description, substituted for `{detail}` in the rule's message. */
  detail: string;
  details?: Record<string, unknown>;
}

// ---------- resolve ----------

export type FieldValue = string | number | boolean | string[] | null;

/** The blast radius: what a matched command would hit. Every field may be unknown. */
export interface Target {
  /** Kind of system: 'railway' | 'terraform' | 'postgres' | 'kubernetes' | 'git' | 'filesystem' … */
  kind: string;
  /** What a human types to confirm (project, workspace, database …). */
  name?: string;
  production: boolean | 'unknown';
  /** Ordered, human-labelled facts: { project: 'shop', environment: 'production' }. */
  fields: Record<string, FieldValue>;
  credential?: { name: string; scope: string };
  resources?: { count: number; names: string[]; dataHolding: string[] };
  backups?: 'deleted' | 'kept' | 'unknown';
  notes?: string[];
  /** Fields the resolver tried and could not learn (timeout, error). */
  unresolved?: string[];
  /**
   * What the resolver found is worse than the rule could tell from the command line (a saved plan
   * that deletes resources). Resolvers can only raise a severity, never lower one.
   */
  raise?: { severity: Severity; reason: string };
}

// ---------- decide / verdict ----------

export type TraceStep =
  | { stage: 'parse'; commands: number; unknowns: number; parser: 'shell-quote' | 'tree-sitter-bash' | 'argv' }
  | { stage: 'unwrap'; from: string; to: string[]; wrappers: string[] }
  | { stage: 'match'; invocation: number; tool: string | null; rules: string[] }
  | { stage: 'analyze'; invocation: number; analyzer: string; findings: string[]; ms: number }
  | { stage: 'resolve'; tool: string; target: Target | null; ms: number }
  | { stage: 'decide'; actor: Actor; actorReason: string; production: boolean | 'unknown'; decision: Decision; reason: string };

export interface Verdict {
  decision: Decision;
  /** Highest severity among matches, or null when nothing matched. */
  severity: Severity | null;
  matches: Match[];
  target: Target | null;
  blast: { irreversible: boolean; backups: 'deleted' | 'kept' | 'unknown'; production: boolean | 'unknown' };
  commands: Array<{ argv: string[]; program: string; wrappers: string[]; targets?: string[] }>;
  unknowns: Unknown[];
  actor: Actor;
  reason: string;
  trace: TraceStep[];
  /**
   * Every payload the verdict read (files named by flags, `@file`, stdin, rc/config files), hashed once:
   * approvals bind these hashes and `run` re-hashes the files right before exec.
   */
  payloads?: PayloadSnapshot[];
}

export interface PayloadSnapshot {
  /** `stdin`, or the absolute path of the file read. */
  source: string;
  /** sha256 (hex) of the bytes judged; null when they could not be read (then the verdict has an unknown). */
  sha256: string | null;
}
