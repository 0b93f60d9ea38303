// One audit record: what happened, to what, decided how — with every secret masked before it is written.
import type { FieldValue, Target, Verdict } from '../types.js';
import { redactArgv, redactValue, secretsOf } from './redact.js';

/** The JSON written per line. `seq` must stay the first key (verify finds moved records by it). */
export interface AuditRecord {
  seq: number;
  time: string;
  kind: string;
  actor: string;
  tool: string | null;
  argv: string[];
  cwd: string;
  decision: string;
  rules: string[];
  target: { kind: string; name: string | null; production: boolean | 'unknown'; fields: Record<string, FieldValue> } | null;
  approvalId: string | null;
  exitCode: number | null;
  signal?: string | null;
  reason?: string;
  /** Statements judged that are not on the command line (stdin, heredoc, a file): what really ran. */
  payload?: string[];
  /** The `blastgate sandbox` the request came from. */
  sandbox?: string;
  prev: string;
}

export type RecordBody = Omit<AuditRecord, 'seq' | 'prev'>;

/** Long payloads (a whole SQL file in `-c`) are cut: the log is for who/what/when, not a data copy. */
const MAX_WORD = 2048;
const cut = (s: string) => (s.length > MAX_WORD ? `${s.slice(0, MAX_WORD)}…[${s.length - MAX_WORD} more chars]` : s);

export interface RecordInput {
  time?: Date;
  kind: string;
  actor: string;
  tool: string | null;
  argv: readonly string[];
  cwd: string;
  decision: string;
  rules: readonly string[];
  target: Target | null;
  production?: boolean | 'unknown';
  approvalId?: string | null;
  exitCode?: number | null;
  signal?: string | null;
  reason?: string;
  sandbox?: string;
  /** The caller's environment: values of its secret-named variables are masked wherever they appear. */
  env: Record<string, string | undefined>;
  payload?: readonly string[];
}

/** Why: SQL that came on stdin or in a heredoc is in no argv; the log must still say what was run. */
export const payloadStatements = (v: Verdict | undefined): string[] | undefined => {
  if (!v) return undefined;
  const out = new Set<string>();
  for (const m of v.matches) {
    const d = m.details ?? {};
    if (typeof d.statement === 'string' && typeof d.origin === 'string' && !/^(-c|--command)$/.test(d.origin)) out.add(`${d.statement} (from ${d.origin})`);
  }
  return out.size ? [...out] : undefined;
};

/** Why: the single place a record is assembled, so redaction cannot be skipped by a new caller. */
export const buildRecordBody = (input: RecordInput): RecordBody => {
  const secrets = secretsOf(input.argv, input.env);
  const t = input.target;
  return {
    time: (input.time ?? new Date()).toISOString(),
    kind: input.kind,
    actor: input.actor,
    tool: input.tool,
    argv: redactArgv(input.argv, input.env).map(cut),
    cwd: input.cwd,
    decision: input.decision,
    rules: [...input.rules],
    target: t
      ? redactValue({ kind: t.kind, name: t.name ?? null, production: input.production ?? t.production, fields: t.fields }, secrets)
      : null,
    approvalId: input.approvalId ?? null,
    exitCode: input.exitCode ?? null,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.reason ? { reason: cut(redactValue(input.reason, secrets)) } : {}),
    ...(input.payload?.length ? { payload: input.payload.map((p) => cut(redactValue(p, secrets))) } : {}),
    ...(input.sandbox ? { sandbox: input.sandbox } : {}),
  };
};
