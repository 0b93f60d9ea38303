// A policy that names a rule id nobody defines does nothing, silently: report it with the nearest id.
import type { LayerProblem, RuleIndex } from '../rulesets/types.js';
import { lineOfKey, readConfigText, type Policy } from './policy.js';

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
};

/** The known id closest to `id` (same tool first), for "did you mean". */
export const nearestId = (id: string, known: string[]): string | null =>
  known.reduce<{ id: string | null; d: number }>((best, k) => {
    const d = distance(id, k);
    return d < best.d ? { id: k, d } : best;
  }, { id: null, d: Infinity }).id;

/** Only the tools a policy names are loaded (the index reads each tool's rules lazily). */
export const unknownRuleIds = (policy: Policy, index: RuleIndex): LayerProblem[] => {
  const problems: LayerProblem[] = [];
  for (const layer of policy.layers) {
    if (!layer.file || !layer.data.rules) continue;
    for (const id of Object.keys(layer.data.rules)) {
      const tool = id.split(':')[0]!;
      const sets = index.rulesets.filter((s) => s.tool === tool);
      if (id === `${tool}:*` && sets.length > 0) continue;
      if (sets.some((s) => s.rules.some((r) => r.id === id))) continue;
      const pool = sets.length > 0 ? sets : index.rulesets;
      const near = nearestId(id, pool.flatMap((s) => s.rules.map((r) => r.id)));
      const text = readConfigText(layer.file) ?? '';
      const line = lineOfKey(text, id);
      problems.push({
        file: layer.file,
        line,
        message: `${layer.file}:${line ?? 1}: rules: unknown rule id "${id}"${near ? ` (nearest: ${near})` : ''}`,
        binaries: sets.length > 0 ? [...new Set(sets.flatMap((s) => s.binaries))] : null,
      });
    }
  }
  return problems;
};
