import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/config/paths.js';
import { loadRuleIndex } from '../../src/rulesets/registry.js';

const rule = (tool: string, id: string, severity = 'high') =>
  `tool: ${tool}\nbinaries: [${tool}]\nrules:\n  - id: ${tool}:${id}\n    severity: ${severity}\n    message: m\n    match: { command: [${id}] }\n    examples: { match: [${tool} ${id}] }\n`;

const world = () => {
  const root = mkdtempSync(join(tmpdir(), 'bg-registry-'));
  const env = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'home', '.config'), XDG_STATE_HOME: join(root, 'state'), BLASTGATE_SYSTEM_DIR: join(root, 'elsewhere') };
  const put = (dir: string, name: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  return { root, env, put, paths: { ...resolvePaths(env), systemDirs: [{ dir: join(root, 'etc-blastgate'), trusted: true }, { dir: join(root, 'elsewhere'), trusted: false }] } };
};

describe('rule sources', () => {
  it('reads the default system dir even when BLASTGATE_SYSTEM_DIR points elsewhere', async () => {
    const w = world();
    w.put(join(w.root, 'etc-blastgate', 'rules'), 'site.yaml', rule('deploy', 'prod'));
    const index = await loadRuleIndex({ paths: w.paths, cwd: w.root });
    expect(index.byBinary.deploy).toBeDefined();
  });

  it('a project rule raises a built-in severity but cannot lower it', async () => {
    const w = world();
    const project = join(w.root, 'project');
    w.put(join(project, '.blastgate', 'rules'), 'team.yaml', rule('git', 'reset-hard', 'low').replace('command: [reset-hard]', 'command: [reset]'));
    const lowered = await loadRuleIndex({ paths: w.paths, cwd: project });
    const find = (idx: typeof lowered) => idx.rulesets.flatMap((s) => s.rules).find((r) => r.id === 'git:reset-hard')!;
    expect(find(lowered).severity).toBe('medium');
    expect(lowered.problems?.[0]?.message).toMatch(/team\.yaml:4: rule id "git:reset-hard" is already defined/);
    w.put(join(project, '.blastgate', 'rules'), 'team.yaml', rule('git', 'reset-hard', 'critical').replace('command: [reset-hard]', 'command: [reset]'));
    expect(find(await loadRuleIndex({ paths: w.paths, cwd: project })).severity).toBe('critical');
  });
});
