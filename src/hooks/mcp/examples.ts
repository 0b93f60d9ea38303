// An MCP rule's own examples, run through the real matcher (the RuleTester idea, as for CLI rules).
import type { Ruleset } from '../../rulesets/types.js';
import { mcpCallOf } from './call.js';
import { matchMcpCall } from './match.js';

export interface McpExampleResult {
  rule: string;
  example: string;
  expected: 'match' | 'no-match';
  firedRules: string[];
  ok: boolean;
}

/** Every example of every `mcp` rule in the set, judged against the set's own MCP rules. */
export const runMcpExamples = async (set: Ruleset): Promise<McpExampleResult[]> => {
  const rules = (set.mcp ?? []).map((rule) => ({ rule, tool: set.tool }));
  const results: McpExampleResult[] = [];
  for (const { rule } of rules) {
    for (const [expected, list] of [['match', rule.examples.match], ['no-match', rule.examples['no-match']]] as const) {
      for (const example of list) {
        const call = mcpCallOf('claude-code', { hook_event_name: 'PreToolUse', tool_name: example.tool, tool_input: example.args });
        const { matches } = await matchMcpCall(call, rules, { cwd: process.cwd(), env: {} });
        const firedRules = matches.map((m) => m.rule);
        results.push({ rule: rule.id, example: `${example.tool} ${JSON.stringify(example.args)}`, expected, firedRules, ok: firedRules.includes(rule.id) === (expected === 'match') });
      }
    }
  }
  return results;
};
