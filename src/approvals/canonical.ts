// Stable bytes for hashing: the same object always serialises to the same string, key order aside.
import { createHash } from 'node:crypto';

/** Why: a signature must cover exactly one byte string per meaning, so keys are sorted recursively. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') {
    // undefined (absent) and functions are not data; JSON.stringify would drop or break them.
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

/** Why: one spelling of "sha256 hex" for bindings, subjects and the audit chain. */
export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
