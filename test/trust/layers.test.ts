// The trust model's two building blocks: which paths only root can change, and how rulesets from layers merge.
import { chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/rulesets/compile.js';
import type { Rule, RuleOrigin, Ruleset } from '../../src/rulesets/types.js';
import { rootOwnershipProblem } from '../../src/trust/layers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
/** A root-owned 0755 dir under a root-owned 0755 parent in /run (so the chain above is clean). */
const cleanRoot = () => {
  const d = mkdtempSync('/run/bgt-layers-');
  dirs.push(d);
  return d;
};

describe('rootOwnershipProblem', () => {
  it('a root-owned path whose every parent is root-owned and closed counts', () => {
    const d = cleanRoot();
    mkdirSync(join(d, 'blastgate'), { mode: 0o755 });
    expect(rootOwnershipProblem(join(d, 'blastgate'))).toBeNull();
  });

  it('a parent others may write into (/tmp) disqualifies it, even when the dir itself is root-owned', () => {
    const d = mkdtempSync('/tmp/bgt-layers-');
    dirs.push(d);
    expect(rootOwnershipProblem(d)).toMatch(/^\/tmp is group- or world-writable/);
  });

  it('a dir owned by a normal user, or a root-owned symlink into one, does not count', () => {
    const d = cleanRoot();
    mkdirSync(join(d, 'users'), { mode: 0o755 });
    chownSync(join(d, 'users'), 65534, 65534);
    expect(rootOwnershipProblem(join(d, 'users'))).toMatch(/users is not owned by root/);
    symlinkSync(join(d, 'users'), join(d, 'link'));
    expect(rootOwnershipProblem(join(d, 'link'))).toMatch(/users is not owned by root/);
  });
});

const rule = (id: string, severity: Rule['severity'], command: string): Rule =>
  ({ id, severity, message: 'm', match: { command: [command] }, examples: { match: [], 'no-match': [] } }) as Rule;
const set = (origin: RuleOrigin, rules: Rule[], source = `/x/${origin}.yaml`): Ruleset =>
  ({ tool: 'terraform', description: '', binaries: ['terraform'], packages: {}, grammar: { style: 'go', valueFlags: [], aliases: {}, switches: [], envArgs: [], payloads: {} }, rules, source, origin }) as Ruleset;
const builtin = set('builtin', [rule('terraform:destroy', 'critical', 'destroy')]);
const ruleOf = (sets: Ruleset[], id: string) => buildIndex(sets).rulesets.flatMap((s) => s.rules).find((r) => r.id === id);

describe('buildIndex: who may define a rule id', () => {
  it.each<RuleOrigin>(['user', 'env', 'project'])('a %s file redefining a built-in id at the same or a lower severity is a problem, not a replacement', (origin) => {
    const index = buildIndex([builtin, set(origin, [rule('terraform:destroy', 'low', 'never')])], () => 7);
    expect(index.problems?.[0]?.message).toBe(`/x/${origin}.yaml:7: rule id "terraform:destroy" is already defined by /x/builtin.yaml; a ${origin} file may only add new ids or raise a severity (rename it, e.g. "terraform:my-destroy")`);
    expect(index.problems?.[0]?.binaries).toEqual(['terraform']);
    expect(ruleOf([builtin, set(origin, [rule('terraform:destroy', 'low', 'never')])], 'terraform:destroy')).toMatchObject({ severity: 'critical', match: { command: ['destroy'] } });
  });

  it('a user file may raise a built-in severity (the match stays the built-in one) and add new ids', () => {
    const base = set('builtin', [rule('terraform:taint', 'medium', 'taint')]);
    const user = set('user', [rule('terraform:taint', 'high', 'never'), rule('terraform:mine', 'low', 'mine')]);
    const index = buildIndex([base, user]);
    expect(index.problems).toBeUndefined();
    expect(ruleOf([base, user], 'terraform:taint')).toMatchObject({ severity: 'high', match: { command: ['taint'] } });
    expect(ruleOf([base, user], 'terraform:mine')).toMatchObject({ severity: 'low' });
  });

  it('a trusted system file may replace a built-in rule', () => {
    const system = set('system', [rule('terraform:destroy', 'high', 'destroy')]);
    expect(buildIndex([builtin, system]).problems).toBeUndefined();
    expect(ruleOf([builtin, system], 'terraform:destroy')).toMatchObject({ severity: 'high' });
  });
});
