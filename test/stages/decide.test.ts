import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/config/paths.js';
import { loadPolicy } from '../../src/config/policy.js';
import { decide } from '../../src/stages/decide.js';
import type { Actor, Match, Severity, Target } from '../../src/types.js';

const match = (rule: string, severity: Severity): Match => ({ rule, severity, message: 'm', tool: rule.split(':')[0]!, invocation: 0 });

/** A temp world: HOME, XDG dirs, a system dir, a project dir, with optional config files in each. */
const world = (files: { system?: string; user?: string; project?: string } = {}) => {
  const root = mkdtempSync(join(tmpdir(), 'bg-decide-'));
  const env = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'home', '.config'), XDG_STATE_HOME: join(root, 'state'), BLASTGATE_SYSTEM_DIR: join(root, 'etc') };
  for (const [dir, text] of [[join(root, 'etc'), files.system], [join(env.XDG_CONFIG_HOME, 'blastgate'), files.user], [join(root, 'project', '.blastgate'), files.project]] as const) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (text) writeFileSync(join(dir, 'config.yaml'), text);
  }
  const project = join(root, 'project');
  return {
    verdict: async (matches: Match[], actor: Actor, target: Target | null = null, envOverride: Record<string, string> = {}) => {
      const paths = resolvePaths({ ...env, ...envOverride });
      const policy = await loadPolicy({ paths: { ...paths, defaultSystemDir: join(root, 'no-default-etc') }, cwd: project, actor });
      return decide({ matches, unknowns: [], target, actor, policy });
    },
    env,
    root,
  };
};

describe('decide with default policy', () => {
  it.each([
    ['critical', 'human', 'confirm'],
    ['high', 'human', 'confirm'],
    ['medium', 'human', 'allow'],
    ['low', 'human', 'allow'],
    ['medium', 'agent', 'confirm'],
    ['low', 'agent', 'allow'],
  ] as const)('%s for a %s → %s', async (severity, actor, expected) => {
    expect((await world().verdict([match('git:x', severity)], actor)).decision).toBe(expected);
  });

  it('nothing matched → allow', async () => {
    expect((await world().verdict([], 'agent')).decision).toBe('allow');
  });

  it('a production target raises medium to high, so a human must confirm', async () => {
    const target: Target = { kind: 'postgres', name: 'shop_production', production: 'unknown', fields: {} };
    const r = await world().verdict([match('psql:alter-drop', 'medium')], 'human', target);
    expect(r).toMatchObject({ decision: 'confirm', severity: 'high', production: true });
  });

  it('"prod" inside another word is not production', async () => {
    const target: Target = { kind: 'postgres', name: 'products', production: 'unknown', fields: { host: 'reproduce.local' } };
    expect((await world().verdict([match('psql:alter-drop', 'medium')], 'human', target)).production).toBe('unknown');
  });

  it('unknown input is never allowed, even when a policy says allow', async () => {
    const w = world({ user: 'decisions:\n  unknown: allow\n' });
    const paths = resolvePaths(w.env);
    const policy = await loadPolicy({ paths, cwd: w.root, actor: 'human' });
    expect(decide({ matches: [], unknowns: [{ reason: 'unclosed quote', text: "echo 'x" }], target: null, actor: 'human', policy }).decision).toBe('confirm');
  });
});

describe('policy layers', () => {
  it('an unsigned user file cannot loosen a rule, even for a human (signed loosening: test/config/signed-policy.test.ts)', async () => {
    const w = world({ user: 'rules:\n  git:reset-hard: allow\n' });
    expect((await w.verdict([match('git:reset-hard', 'high')], 'human')).decision).toBe('confirm');
  });

  it('a user file reached through an XDG_CONFIG_HOME an agent could set cannot loosen for an agent', async () => {
    const w = world();
    const elsewhere = join(w.root, 'agent-made');
    mkdirSync(join(elsewhere, 'blastgate'), { recursive: true });
    writeFileSync(join(elsewhere, 'blastgate', 'config.yaml'), 'rules:\n  git:reset-hard: allow\n');
    const moved = { XDG_CONFIG_HOME: elsewhere };
    expect((await w.verdict([match('git:reset-hard', 'high')], 'agent', null, moved)).decision).toBe('confirm');
    expect((await w.verdict([match('git:reset-hard', 'high')], 'human', null, moved)).decision).toBe('confirm');
  });

  it('a project file cannot loosen, but can tighten', async () => {
    const loosen = world({ project: 'rules:\n  terraform:destroy: allow\n' });
    expect((await loosen.verdict([match('terraform:destroy', 'critical')], 'human')).decision).toBe('confirm');
    const tighten = world({ project: 'rules:\n  "git:*": deny\n' });
    expect((await tighten.verdict([match('git:reset-hard', 'medium')], 'human')).decision).toBe('deny');
  });

  it('a locked system policy stops the user file from loosening', async () => {
    const w = world({ system: 'locked: true\n', user: 'decisions:\n  human: { critical: allow }\n' });
    expect((await w.verdict([match('terraform:destroy', 'critical')], 'human')).decision).toBe('confirm');
  });

  it('the system file may loosen and may deny', async () => {
    const w = world({ system: 'rules:\n  terraform:destroy: { agent: deny, human: allow }\n' });
    expect((await w.verdict([match('terraform:destroy', 'critical')], 'agent')).decision).toBe('deny');
    expect((await w.verdict([match('terraform:destroy', 'critical')], 'human')).decision).toBe('allow');
  });

  it('a malformed user config is set aside with a one-line problem naming file and line, not a crash', async () => {
    const w = world({ user: 'rules:\n  git:reset-hard: maybe\n' });
    const policy = await loadPolicy({ paths: resolvePaths(w.env), cwd: w.root });
    expect(policy.problems?.[0]?.message).toMatch(/config\.yaml:2: rules\.git:reset-hard: expected allow, confirm, deny/);
    expect((await w.verdict([], 'human')).decision).toBe('allow');
  });
});

describe('policy knobs', () => {
  it('a project file can tighten confirmation knobs but not loosen them', async () => {
    const w = world({ project: 'confirm:\n  passphrase: always\n  timeout: 500\n  typeName: [high]\napproval:\n  wait: 5\n  ttl: 99999\n' });
    const policy = await loadPolicy({ paths: { ...resolvePaths(w.env), defaultSystemDir: join(w.root, 'none') }, cwd: join(w.root, 'project'), actor: 'human' });
    expect(policy.confirm).toMatchObject({ passphrase: 'always', timeout: 60 });
    expect(policy.confirm.typeName).toEqual(expect.arrayContaining(['critical', 'high']));
    expect(policy.approval).toMatchObject({ wait: 5, ttl: 600 });
  });
});
