// Placeholder-free minimal GraphQL analyzer: replaced by the PostgreGraphQL-parser analyzer (seed rulesets).
import type { Analyzer } from './types.js';
import type { Finding } from '../types.js';

const DESTRUCTIVE = /\b(mutation)\b/i;

/** Until the real parser lands every payload with a destructive keyword is reported as unknown. */
export const analyzeGraphql: Analyzer = async (payloads) => {
  const out: Finding[] = [];
  for (const p of payloads) {
    if (p.text === null) out.push({ kind: 'unknown', detail: p.problem ?? `cannot read GraphQL from ${p.origin}` });
    else if (DESTRUCTIVE.test(p.text)) out.push({ kind: 'unknown', detail: `GraphQL from ${p.origin} not analyzed` });
  }
  return out;
};
