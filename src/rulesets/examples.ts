// Run a ruleset's own examples (the RuleTester idea): every `match` line must fire the rule, no `no-match` line may.
import { matchInvocation } from '../stages/match.js';
import { parseLine } from '../stages/parse.js';
import { withLineContext } from '../stages/pipes.js';
import { unwrap } from '../stages/unwrap.js';
import { buildIndex } from './compile.js';
import type { Rule, Ruleset } from './types.js';

export interface ExampleResult {
  rule: string;
  example: string;
  expected: 'match' | 'no-match';
  fired: boolean;
  /** Rule ids that fired on this line (for the failure message). */
  firedRules: string[];
  ok: boolean;
}

/**
 * Rule ids this ruleset fires for a command line, judged with an empty caller environment. `apiHosts`:
 * the platform API hosts of every loaded ruleset (an `apiHost` rule names hosts other rulesets declare).
 */
export const rulesFiredBy = async (line: string, set: Ruleset, cwd = process.cwd(), apiHosts: readonly string[] = []): Promise<string[]> => {
  const index = buildIndex([set]);
  index.apiHosts = [...new Set([...(index.apiHosts ?? []), ...apiHosts])];
  const parsed = withLineContext(await parseLine(line));
  const fired: string[] = [];
  let n = 0;
  for (const cmd of parsed.commands) {
    const { invocations } = await unwrap(cmd, { packages: index.packages });
    for (const inv of invocations) {
      const { matches } = await matchInvocation(inv, n++, { index, env: {}, cwd });
      fired.push(...matches.map((m) => m.rule));
    }
  }
  return fired;
};

export const runRuleExamples = async (set: Ruleset, rule: Rule, apiHosts: readonly string[] = []): Promise<ExampleResult[]> => {
  const results: ExampleResult[] = [];
  for (const [expected, lines] of [['match', rule.examples.match], ['no-match', rule.examples['no-match']]] as const) {
    for (const example of lines) {
      const firedRules = await rulesFiredBy(example, set, process.cwd(), apiHosts);
      const fired = firedRules.includes(rule.id);
      results.push({ rule: rule.id, example, expected, fired, firedRules, ok: fired === (expected === 'match') });
    }
  }
  return results;
};
