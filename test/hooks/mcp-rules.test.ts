// The generic harness for MCP rules (the RuleTester idea, as test/rulesets.test.ts does for CLI rules):
// every `match` example fires its rule through the real matcher and analyzers, no `no-match` one does.
import { readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMcpExamples } from '../../src/hooks/mcp/examples.js';
import { loadRulesetFile } from '../../src/rulesets/load.js';
import { blastgate, sandbox } from '../helpers/cli.js';

const dir = join(import.meta.dirname, '..', '..', 'rulesets');
const sets = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => loadRulesetFile(join(dir, f), 'builtin'));

describe('built-in MCP rules', () => {
  it('cover Railway, PostgreSQL and GitHub servers', () => expect(sets.filter((s) => (s.mcp ?? []).length > 0).map((s) => s.tool).sort()).toEqual(['gh', 'psql', 'railway']));
  for (const set of sets.filter((s) => (s.mcp ?? []).length > 0)) {
    it(`${set.tool}: every example behaves as written`, async () => {
      const results = await runMcpExamples(set);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((r) => !r.ok).map((r) => `${r.rule} ${r.expected}: ${r.example} (fired: ${r.firedRules.join(', ') || 'nothing'})`)).toEqual([]);
    });
  }
});

describe('blastgate rules list / show', () => {
  it('list the MCP rules beside the CLI rules, and show one', () => {
    const box = sandbox();
    try {
      const rows = JSON.parse(blastgate(['rules', 'list', '--json'], { env: box.env }).stdout) as Array<{ id: string; severity: string }>;
      expect(rows).toContainEqual(expect.objectContaining({ id: 'railway:mcp-volume-delete', severity: 'critical' }));
      expect(rows).toContainEqual(expect.objectContaining({ id: 'railway:volume-delete' }));
      expect(blastgate(['rules', 'show', 'psql:mcp-drop-table'], { env: box.env }).stdout).toContain('analyzer: sql');
    } finally {
      rmSync(box.root, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('blastgate rules test <file> with mcp rules', () => {
  it('runs their examples and fails on a wrong one, naming it', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bg-mcp-rules-'));
    try {
      const file = join(tmp, 'notion.yaml');
      const rule = (noMatch: string) => `tool: notion\nbinaries: [notion]\nrules: []\nmcp:\n  - id: notion:mcp-delete-page\n    severity: high\n    message: deletes a page\n    servers: ["*notion*"]\n    tools: ["*delete*"]\n    examples:\n      match: [{ tool: mcp__notion__delete_page, args: {} }]\n      no-match: [{ tool: ${noMatch}, args: {} }]\n`;
      writeFileSync(file, rule('mcp__notion__search'));
      const box = sandbox();
      const env = box.env;
      expect(blastgate(['rules', 'test', file], { env })).toMatchObject({ code: 0, stdout: '2 passed, 0 failed\n' });
      writeFileSync(file, rule('mcp__notion__delete_block'));
      const bad = blastgate(['rules', 'test', file], { env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('FAIL notion:mcp-delete-page: expected no-match: mcp__notion__delete_block {}');
      rmSync(box.root, { recursive: true, force: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
