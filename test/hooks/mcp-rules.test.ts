// The generic harness for MCP rules (the RuleTester idea, as test/rulesets.test.ts does for CLI rules):
// every `match` example fires its rule through the real matcher and analyzers, no `no-match` one does.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mcpCallOf } from '../../src/hooks/mcp/call.js';
import { matchMcpCall } from '../../src/hooks/mcp/match.js';
import { loadRulesetFile } from '../../src/rulesets/load.js';

const dir = join(import.meta.dirname, '..', '..', 'rulesets');
const sets = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => loadRulesetFile(join(dir, f), 'builtin'));
const withMcp = sets.filter((s) => (s.mcp ?? []).length > 0);

describe('built-in MCP rules', () => {
  it('cover Railway, PostgreSQL and GitHub servers', () => expect(withMcp.map((s) => s.tool).sort()).toEqual(['gh', 'psql', 'railway']));
  const all = sets.flatMap((s) => (s.mcp ?? []).map((rule) => ({ rule, tool: s.tool })));
  for (const { rule } of all) {
    describe(rule.id, () => {
      for (const [expected, list] of [['match', rule.examples.match], ['no-match', rule.examples['no-match']]] as const) {
        for (const example of list) {
          it(`${expected}: ${example.tool} ${JSON.stringify(example.args)}`, async () => {
            const call = mcpCallOf('claude-code', { hook_event_name: 'PreToolUse', tool_name: example.tool, tool_input: example.args });
            const { matches } = await matchMcpCall(call, all, { cwd: process.cwd(), env: {} });
            expect(matches.map((m) => m.rule).includes(rule.id), `fired: ${matches.map((m) => m.rule).join(', ') || 'nothing'}`).toBe(expected === 'match');
          });
        }
      }
    });
  }
});
