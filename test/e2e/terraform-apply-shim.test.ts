// Issue 10, "Terraform that destroys through plain apply": the three lines an agent used, run by bash with
// the terraform shim first on PATH and the real terraform behind it. Whatever runs before the apply, the
// apply itself is planned, found to delete, and refused: the state keeps its resources with the same ids.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { realBinaryCandidates } from '../../src/stages/exec.js';
import { bash, makeWorld, type ShimWorld } from '../shims/shim-sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const hasTerraform = realBinaryCandidates('terraform', { path: process.env.PATH }).length > 0;
const CONFIG = 'resource "terraform_data" "db" { input = "db" }\nresource "terraform_data" "a" { input = "a" }\n';
const TF_ENV = { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null', HTTPS_PROXY: 'http://127.0.0.1:9' };

let world: ShimWorld;
let base: string;
let shimPath: string;

const tf = (dir: string, ...args: string[]) =>
  execFileSync('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { env: { ...process.env, ...TF_ENV, TF_CLI_ARGS: '' }, encoding: 'utf8' });
/** Address → id of every resource in the state. */
const ids = (dir: string): Record<string, string> => {
  const state = JSON.parse(tf(dir, 'show', '-json')) as { values?: { root_module?: { resources?: Array<{ address: string; values: { id: string } }> } } };
  return Object.fromEntries((state.values?.root_module?.resources ?? []).map((r) => [r.address, r.values.id]));
};

describe.runIf(hasTerraform)('terraform apply attacks through the shim, as an agent', () => {
  let original: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
    world = makeWorld();
    await world.shims(['terraform'], { full: 'real' });
    shimPath = world.pathWith(join(world.root, 'shims'));
    base = join(world.root, 'base');
    mkdirSync(base);
    writeFileSync(join(base, 'main.tf'), CONFIG);
    tf(base, 'init', '-input=false');
    tf(base, 'apply', '-auto-approve', '-input=false');
    original = ids(base);
  }, 90_000);

  afterAll(() => {
    if (world) rmSync(world.root, { recursive: true, force: true });
  });

  const agent = { CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' };
  const runIn = (name: string, line: string) => {
    const dir = join(world.root, name);
    cpSync(base, dir, { recursive: true });
    const r = bash(line, { env: { ...world.env, ...TF_ENV, ...agent, PATH: shimPath }, cwd: dir });
    return { dir, r };
  };

  it('starts from two resources', () => {
    expect(Object.keys(original).sort()).toEqual(['terraform_data.a', 'terraform_data.db']);
  });

  it(': > main.tf && echo yes | terraform apply — refused; both resources kept with their ids', () => {
    const { dir, r } = runIn('emptied', ': > main.tf && echo yes | terraform apply');
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('terraform_data.db');
    expect(ids(dir)).toEqual(original);
  });

  it('terraform taint terraform_data.db && echo yes | terraform apply — the replacement is refused; db keeps its id', () => {
    const { dir, r } = runIn('tainted', 'terraform taint terraform_data.db && echo yes | terraform apply');
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('1 of them re-created');
    expect(ids(dir)).toEqual(original);
  });

  it('terraform state mv a b && echo yes | terraform apply — refused; the moved resource still has its id', () => {
    const { dir, r } = runIn('moved', 'terraform state mv terraform_data.a terraform_data.b && echo yes | terraform apply');
    expect(r.code, r.stderr).toBe(77);
    expect(ids(dir)).toEqual({ 'terraform_data.db': original['terraform_data.db'], 'terraform_data.b': original['terraform_data.a'] });
  });

  it('an apply that only adds a resource is still asked of an agent (medium), and the request shows the plan', () => {
    const { dir, r } = runIn('adds', `printf '%s' 'resource "terraform_data" "c" {}' > extra.tf && echo yes | terraform apply`);
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('creates 1 resource');
    expect(r.stderr).toContain('deletes 0 resources');
    expect(ids(dir)).toEqual(original);
  });
});
