// The one generic harness (ESLint's RuleTester idea): every example of every built-in rule is asserted.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRuleExamples } from '../src/rulesets/examples.js';
import { loadRulesetFile } from '../src/rulesets/load.js';

const dir = join(import.meta.dirname, '..', 'rulesets');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const sets = new Map(files.map((f) => [f, loadRulesetFile(join(dir, f), 'builtin')]));
// `apiHost` rules name hosts that other rulesets declare: every built-in ruleset's hosts count.
const apiHosts = [...new Set([...sets.values()].flatMap((s) => s.credentials?.hosts ?? []))];

describe('built-in rulesets', () => {
  it('exist', () => expect(files.length).toBeGreaterThan(0));
});

for (const file of files) {
  const set = sets.get(file)!;
  describe(file, () => {
    it('has rules, each with at least one match example', () => {
      expect(set.rules.length).toBeGreaterThan(0);
      for (const rule of set.rules) expect(rule.examples.match.length, rule.id).toBeGreaterThan(0);
    });
    for (const rule of set.rules) {
      describe(rule.id, () => {
        for (const [expected, lines] of [['match', rule.examples.match], ['no-match', rule.examples['no-match']]] as const) {
          for (const example of lines) {
            it(`${expected}: ${example}`, async () => {
              const [result] = (await runRuleExamples(set, { ...rule, examples: { match: expected === 'match' ? [example] : [], 'no-match': expected === 'no-match' ? [example] : [] } }, apiHosts));
              expect(result!.fired, `${rule.id} ${expected === 'match' ? 'did not fire' : 'fired'} on: ${example} (fired: ${result!.firedRules.join(', ') || 'nothing'})`).toBe(expected === 'match');
            });
          }
        }
      });
    }
  });
}
