// git rewrites its own argv from configuration: an alias in ~/.gitconfig, `-c alias.x=…`, GIT_CONFIG_*,
// a remote configured to mirror. The shim's fast path must not exec git for any of them; ordinary
// git commands still take it. Real bash, real shims, a fake git that records whether it ran.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bash, fullChecks, makeWorld, resetLogs, toolRun, type ShimWorld } from './shim-sandbox.js';

const T = 120_000;

describe('git shim and git configuration', () => {
  let world: ShimWorld;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    world = makeWorld();
    world.fake('git');
    await world.shims(['git'], { full: 'fake' });
    env = { ...world.env, PATH: world.pathWith(join(world.root, 'shims'), world.fakebin) };
    writeFileSync(join(world.env.HOME!, '.gitconfig'), '[alias]\n\tfp = push --force\n');
  }, T);

  const path = (line: string, extra: NodeJS.ProcessEnv = {}): 'full' | 'direct' => {
    resetLogs(world);
    const r = bash(line, { env: { ...env, ...extra }, cwd: world.root });
    if (fullChecks(world).length === 1) return 'full';
    expect(toolRun(world), `${line}: neither path ran (${r.stderr})`).toBeTruthy();
    return 'direct';
  };

  it.each([
    ['git fp origin main'],
    ['git -C . fp origin main'],
    ["git -c alias.x='push --force' x origin main"],
    ['git push backup'],
  ])('%s takes the full check', (line) => {
    expect(path(line)).toBe('full');
  }, T);

  it('config given in the environment takes the full check', () => {
    expect(path('git x origin main', { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'alias.x', GIT_CONFIG_VALUE_0: 'push -f' })).toBe('full');
    expect(path('git x origin main', { GIT_CONFIG_PARAMETERS: "'alias.x'='push -f'" })).toBe('full');
  }, T);

  it.each([['git status'], ['git -C . log --oneline -5'], ['git --no-pager diff'], ['git commit -m fp']])('%s still takes the fast path', (line) => {
    expect(path(line)).toBe('direct');
  }, T);
});
