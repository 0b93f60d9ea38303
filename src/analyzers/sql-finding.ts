// A destructive fact about one statement, turned into the Finding rules and the panel read.
import type { Finding } from '../types.js';
import type { StatementFact } from './sql-statements.js';

const shorten = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const tidy = (statement: string) => statement.replace(LEADING_NOISE, '').replace(/;\s*$/, '').trim();

/** `detail` is one line for the rule message; `details` carry the statement and the facts (tables, CASCADE …). */
export const finding = (fact: StatementFact, statement: string, origin: string, rolledBack = false): Finding => {
  const { kind, note, ...facts } = fact;
  const text = tidy(statement);
  const shown = shorten(text.replace(/\s+/g, ' '), 160);
  const inside = fact.inFunction ? ` (in the body of ${fact.inFunction}: runs whenever it is called or its trigger fires)` : fact.inDoBlock ? ' (inside a DO block)' : '';
  const where = `${note ? ` — ${note}` : ''}${inside}`;
  const details: Record<string, unknown> = { statement: shorten(text, 2000), origin, ...facts, ...(note ? { note } : {}) };
  if (!rolledBack) return { kind, detail: `${shown}${where} (from ${origin})`, details };
  return {
    kind: 'rolled-back',
    detail: `${shown}${where} — undone: its transaction ends in ROLLBACK (from ${origin})`,
    details: { ...details, rolledBack: true, kindIfCommitted: kind },
  };
};
