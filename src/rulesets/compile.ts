// Build the hot-path index from rulesets: by program basename, with project rules only tightening.
import { SEVERITIES } from '../types.js';
import type { RuleIndex, Ruleset } from './types.js';

const rank = (s: string) => SEVERITIES.indexOf(s as never);

/**
 * Merge rulesets from every origin. A user/system rule with a built-in id replaces it; a project rule
 * may only add new ids or raise a severity (it can never remove or lower anything).
 */
export const buildIndex = (sets: Ruleset[]): RuleIndex => {
  const byId = new Map<string, { set: Ruleset; i: number }>();
  const rulesets: Ruleset[] = [];
  for (const set of sets) {
    const kept = { ...set, rules: [] as Ruleset['rules'] };
    for (const rule of set.rules) {
      const prior = byId.get(rule.id);
      if (!prior) {
        kept.rules.push(rule);
        byId.set(rule.id, { set: kept, i: kept.rules.length - 1 });
        continue;
      }
      const old = prior.set.rules[prior.i]!;
      if (set.origin === 'project') {
        if (rank(rule.severity) > rank(old.severity)) prior.set.rules[prior.i] = { ...old, severity: rule.severity };
      } else {
        prior.set.rules[prior.i] = rule;
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
  return { rulesets, byBinary, packages, apiHosts };
};

/** Serialize for dist/rulesets.json. */
export const serializeIndex = (index: RuleIndex): string => JSON.stringify(index);
