// The README's "Writing a rule" section is the tested source of the rule DSL: every YAML snippet in it
// must pass `blastgate rules test`, and, installed as a user rules file, fire on its first `match`
// example and stay quiet on its first `no-match` example.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { blastgate, sandbox } from './helpers/cli.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

const section = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};

const yamlSnippets = (text: string): string[] => [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

interface RulesetSnippet {
  tool: string;
  rules: Array<{ id: string; examples: { match: string[]; 'no-match'?: string[] } }>;
}

const rulesetSnippets = yamlSnippets(section('Writing a rule')).filter((y) => /^tool:/m.test(y));
const cleanup: string[] = [];
afterAll(() => cleanup.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('README "Writing a rule"', () => {
  it('has at least one complete ruleset snippet', () => {
    expect(rulesetSnippets.length).toBeGreaterThan(0);
  });

  it.each(rulesetSnippets.map((y, i) => [i, y] as const))('snippet %i passes `blastgate rules test`', (_i, yaml) => {
    const box = sandbox();
    cleanup.push(box.root);
    const file = join(box.root, 'snippet.yaml');
    writeFileSync(file, yaml);
    const r = blastgate(['rules', 'test', file], { env: box.env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^[1-9]\d* passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it.each(rulesetSnippets.map((y, i) => [i, y] as const))('snippet %i, as a user rules file, guards its own examples', (_i, yaml) => {
    const box = sandbox();
    cleanup.push(box.root);
    const rulesDir = join(box.env.XDG_CONFIG_HOME!, 'blastgate', 'rules');
    mkdirSync(rulesDir, { recursive: true });
    writeFileSync(join(rulesDir, 'snippet.yaml'), yaml);
    const data = parse(yaml) as RulesetSnippet;
    for (const rule of data.rules) {
      const fires = blastgate(['check', '--json', '--shell', rule.examples.match[0]!], { env: box.env });
      expect(fires.code, fires.stderr).not.toBe(0);
      expect(JSON.parse(fires.stdout).matches.map((m: { rule: string }) => m.rule)).toContain(rule.id);
      const quiet = rule.examples['no-match']?.[0];
      if (quiet === undefined) continue;
      const r = blastgate(['check', '--json', '--shell', quiet], { env: box.env });
      expect(JSON.parse(r.stdout).matches.map((m: { rule: string }) => m.rule)).not.toContain(rule.id);
    }
  });
});
