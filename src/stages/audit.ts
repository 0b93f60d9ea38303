// Stage 9: the audit log — one hash-chained, redacted JSON line per non-trivial decision, approval and exit.
import type { Engine } from '../engine.js';
import { AuditError } from '../errors.js';
import type { Actor, Target, Verdict } from '../types.js';

export interface AuditEvent {
  /** `exec`: allowed after a confirmation and handed to the shim, which execs the tool (no exit code to see). */
  kind: 'decision' | 'approval' | 'exit' | 'exec';
  verdict?: Verdict;
  argv: string[];
  cwd: string;
  approvalId?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** What was decided, when more precise than the verdict: confirmed, declined, approved, denied, pending … */
  decision?: string;
  reason?: string;
  /** For events without a verdict (`approve`, `deny`): who, which tool, which rules, which target. */
  actor?: Actor;
  tool?: string | null;
  rules?: string[];
  target?: Target | null;
  production?: boolean | 'unknown';
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 300);

const basename = (p: string | undefined) => (p ? p.slice(p.lastIndexOf('/') + 1) : null);

/**
 * Safe commands are not worth a line, and a bare `confirm` decision is written by the confirm stage
 * itself together with its outcome, so a caller that also reports it does not double the record.
 */
const isTrivial = (e: AuditEvent): boolean => {
  const v = e.verdict;
  if (!v || e.decision !== undefined) return false;
  if (e.kind === 'decision' && v.decision === 'confirm') return true;
  return v.decision === 'allow' && v.matches.length === 0 && v.unknowns.length === 0;
};

/**
 * Why: the one call every stage uses. A record that cannot be written throws AuditError (the message
 * says why): a gated command is then refused, never run unrecorded; callers that only report catch it.
 */
export const appendAudit = async (engine: Engine, event: AuditEvent): Promise<void> => {
  if (isTrivial(event)) return;
  const v = event.verdict;
  try {
    // Loaded on first use: the hot path of a safe command never writes a record.
    const [{ buildRecordBody, payloadStatements }, { appendRecord }] = await Promise.all([import('../audit/record.js'), import('../audit/log-file.js')]);
    const body = buildRecordBody({
      kind: event.kind,
      actor: event.actor ?? v?.actor ?? engine.actor.actor,
      tool: event.tool ?? v?.matches[0]?.tool ?? v?.commands[0]?.program ?? basename(event.argv[0]),
      argv: event.argv,
      cwd: event.cwd,
      decision: event.decision ?? (event.kind === 'exit' || event.kind === 'exec' ? event.kind : (v?.decision ?? event.kind)),
      rules: event.rules ?? v?.matches.map((m) => m.rule) ?? [],
      target: event.target !== undefined ? event.target : (v?.target ?? null),
      production: event.production ?? v?.blast.production,
      approvalId: event.approvalId ?? null,
      exitCode: event.exitCode ?? null,
      signal: event.signal ?? null,
      reason: event.reason,
      payload: payloadStatements(v),
      env: engine.env,
      ...(engine.sandbox ? { sandbox: engine.sandbox } : {}),
    });
    await appendRecord(engine.paths, body);
  } catch (err) {
    throw new AuditError(`audit log not written: ${oneLine((err as Error).message)}`, { cause: err });
  }
};
