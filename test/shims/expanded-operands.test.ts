// What the shell expanded before the shim ran: `rm -rf ~` reaches rm as `/home/me`, `rm -rf ~/*` as
// every entry of the home. The real rm, through its real shim, driven by real bash: the protected
// home (a temp HOME holding canary files) must survive, and ordinary deletions must still run.
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bash, makeWorld, type ShimWorld } from './shim-sandbox.js';

const T = 120_000;

describe('rm through its shim sees expanded operands and judges them against the protected set', () => {
  let world: ShimWorld;
  let env: NodeJS.ProcessEnv;
  let home: string;
  let work: string;

  beforeAll(async () => {
    world = makeWorld();
    await world.shims(['rm'], { full: 'real' });
    home = world.env.HOME!;
    work = join(world.root, 'work');
    mkdirSync(work);
    env = { ...world.env, PATH: world.pathWith(join(world.root, 'shims')), BLASTGATE_APPROVAL_WAIT: '0' };
  }, T);

  const plantCanaries = () => {
    writeFileSync(join(home, 'canary.txt'), 'still here\n');
    writeFileSync(join(home, 'notes.md'), 'notes\n');
    writeFileSync(join(home, '.hidden-canary'), 'still here\n');
  };
  const homeIntact = () => ['canary.txt', 'notes.md', '.hidden-canary'].every((f) => existsSync(join(home, f)));

  it.each([
    ['rm -rf ~'],
    ['rm -rf "$HOME"'],
    ['rm -rf "$HOME/"'],
    ['cd ~ && rm -rf *'],
    ['rm -rf ~/*'],
    ['rm -rf ~/.[!.]*'],
    ['rm --r --f ~'],
    ['rm -rf "$PWD"'],
    // A symlink to the home followed by a trailing slash: rm would walk into the home.
    ['ln -sfn ~ homelink && rm -rf homelink/'],
  ])('%s is refused (77) and the home keeps its files', (line) => {
    plantCanaries();
    const r = bash(line, { env, cwd: work });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toMatch(/rm:recursive-root-or-home/);
    expect(homeIntact()).toBe(true);
  }, T);

  it('an ordinary `rm -rf ./build` still runs, and so does deleting a symlink (not its target)', () => {
    plantCanaries();
    mkdirSync(join(work, 'build', 'out'), { recursive: true });
    writeFileSync(join(work, 'build', 'out', 'app.js'), '');
    writeFileSync(join(work, 'keep.txt'), '');
    const r = bash('rm -rf ./build', { env, cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(work, 'build'))).toBe(false);
    symlinkSync(home, join(work, 'link-to-home'));
    const link = bash('rm -rf link-to-home', { env, cwd: work });
    expect(link.code, link.stderr).toBe(0);
    expect(readdirSync(work)).not.toContain('link-to-home');
    expect(readdirSync(work)).toContain('keep.txt');
    expect(homeIntact()).toBe(true);
  }, T);
});
