// SQL analyzer, keyword level. Superseded by the PostgreSQL-parser analyzer; kinds are the contract.
import type { Finding } from '../types.js';
import type { Analyzer } from './types.js';

const PATTERNS: Array<[RegExp, string, string]> = [
  [/\bdrop\s+database\b/i, 'drop-database', 'DROP DATABASE'],
  [/\bdrop\s+schema\b/i, 'drop-schema', 'DROP SCHEMA'],
  [/\bdrop\s+table\b/i, 'drop-table', 'DROP TABLE'],
  [/\bdrop\s+owned\b/i, 'drop-owned', 'DROP OWNED'],
  [/\btruncate\b/i, 'truncate', 'TRUNCATE'],
  [/\bdelete\s+from\b(?![\s\S]*\bwhere\b)/i, 'delete-all', 'DELETE without WHERE'],
  [/\bupdate\b[\s\S]*\bset\b(?![\s\S]*\bwhere\b)/i, 'update-all', 'UPDATE without WHERE'],
  [/\balter\s+table\b[\s\S]*\bdrop\b/i, 'alter-drop', 'ALTER TABLE … DROP'],
];

export const analyzeSql: Analyzer = async (payloads) => {
  const out: Finding[] = [];
  for (const p of payloads) {
    if (p.text === null) {
      out.push({ kind: 'unknown', detail: p.problem ?? `cannot read SQL from ${p.origin}` });
      continue;
    }
    for (const [re, kind, label] of PATTERNS) if (re.test(p.text)) out.push({ kind, detail: `${label} (from ${p.origin})` });
  }
  return out;
};
