// Build the hot-path index from rulesets: by program basename. Only trusted layers (built-in, system) may
// define a rule id; every other layer adds new ids or raises a severity (src/trust/layers.ts).
import { mayReplaceRules } from '../trust/layers.js';
import { SEVERITIES } from '../types.js';
import type { LayerProblem, RuleIndex, Ruleset } from './types.js';

const rank = (s: string) => SEVERITIES.indexOf(s as never);

/** The line in a ruleset's source that defines `id` (for errors), or null when it cannot be found. */
export type LineOf = (set: Ruleset, id: string) => number | null;

/**
 * Merge rulesets from every origin, in order. A trusted layer's rule with an existing id replaces it.
 * From any other layer, an existing id is allowed only to raise its severity; otherwise the whole file is
 * set aside as a problem (never a replacement) and its tool's commands will need confirmation.
 */
export const buildIndex = (sets: Ruleset[], lineOf: LineOf = () => null): RuleIndex => {
  const byId = new Map<string, { set: Ruleset; i: number; trusted: boolean; source: string }>();
  const rulesets: Ruleset[] = [];
  const problems: LayerProblem[] = [];
  for (const set of sets) {
    const trusted = mayReplaceRules(set.origin);
    if (!trusted) {
      const clash = set.rules.find((r) => {
        const prior = byId.get(r.id);
        return prior?.trusted && rank(r.severity) <= rank(prior.set.rules[prior.i]!.severity);
      });
      if (clash) {
        const prior = byId.get(clash.id)!;
        const line = lineOf(set, clash.id);
        problems.push({
          file: set.source,
          line,
          message: `${set.source}:${line ?? 1}: rule id "${clash.id}" is already defined by ${prior.source}; a ${set.origin} file may only add new ids or raise a severity (rename it, e.g. "${set.tool}:my-${clash.id.split(':').slice(1).join(':')}")`,
          binaries: [...set.binaries],
        });
        continue;
      }
    }
    const kept = { ...set, rules: [] as Ruleset['rules'] };
    for (const rule of set.rules) {
      const prior = byId.get(rule.id);
      if (!prior) {
        kept.rules.push(rule);
        byId.set(rule.id, { set: kept, i: kept.rules.length - 1, trusted, source: set.source });
        continue;
      }
      const old = prior.set.rules[prior.i]!;
      if (trusted) {
        prior.set.rules[prior.i] = rule;
        byId.set(rule.id, { ...prior, trusted: true, source: set.source });
      } else if (rank(rule.severity) > rank(old.severity)) {
        prior.set.rules[prior.i] = { ...old, severity: rule.severity };
      }
    }
    rulesets.push(kept);
  }
  const byBinary: Record<string, number[]> = {};
  const packages: Record<string, string> = {};
  rulesets.forEach((set, i) => {
    for (const bin of set.binaries) (byBinary[bin] ??= []).push(i);
    Object.assign(packages, set.packages);
  });
  const apiHosts = [...new Set(rulesets.flatMap((set) => set.credentials?.hosts ?? []))].sort();
  return { rulesets, byBinary, packages, apiHosts, ...(problems.length ? { problems } : {}) };
};

/** Serialize for dist/rulesets.json. */
export const serializeIndex = (index: RuleIndex): string => JSON.stringify(index);
