// The terraform resolver against the real terraform binary (a terraform_data-only config: no provider
// download, no network) and against fake binaries for timeouts, data-holding types and shim dirs.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveTerraform } from '../../src/resolvers/terraform.js';
import { DEFAULT_POLICY } from '../../src/config/policy.js';
import { productionOf } from '../../src/stages/decide.js';
import { realBinaryCandidates } from '../../src/stages/exec.js';
import type { Target } from '../../src/types.js';
import { blastgate, sandbox } from '../helpers/cli.js';
import { invocationOf, processGone } from '../helpers/process.js';

const hasTerraform = realBinaryCandidates('terraform', { path: process.env.PATH }).length > 0;

const invocation = invocationOf;

const resolveIn = (cwd: string, argv: string[], env: Record<string, string | undefined> = {}, timeoutMs = 5000): Promise<Target | undefined> =>
  resolveTerraform(invocation(argv), [], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    cwd,
    timeoutMs,
    network: false,
    signal: new AbortController().signal,
  });

const script = (dir: string, name: string, body: string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
};

const alive = (pid: number) => !processGone(pid);

describe.runIf(hasTerraform)('terraform resolver with the real terraform binary', () => {
  let dir: string;
  // Offline on purpose: a proxy that refuses every connection proves init/apply needed no network.
  const tfEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', TF_CLI_ARGS: '', TF_WORKSPACE: '' };
  const tf = (...args: string[]) => execFileSync('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { env: tfEnv, encoding: 'utf8' });
  const stateOf = (workspace: string) =>
    execFileSync('terraform', [`-chdir=${dir}`, 'state', 'list'], { env: { ...tfEnv, TF_WORKSPACE: workspace }, encoding: 'utf8' }).trim().split('\n');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bg-tf-'));
    writeFileSync(join(dir, 'main.tf'), 'resource "terraform_data" "a" { input = "a" }\nresource "terraform_data" "b" { input = "b" }\n');
    tf('init', '-input=false');
    tf('apply', '-auto-approve', '-input=false');
    tf('workspace', 'new', 'production');
    tf('apply', '-auto-approve', '-input=false');
    tf('workspace', 'select', 'default');
    tf('plan', '-destroy', '-input=false', '-out=destroy.tfplan');
  }, 60_000);

  it('lists the 2 resources `destroy` would destroy, in the default workspace named after the directory', async () => {
    const t = await resolveIn(tmpdir(), ['terraform', `-chdir=${dir}`, 'destroy']);
    expect(t?.resources).toEqual({ count: 2, names: ['terraform_data.a', 'terraform_data.b'], dataHolding: [] });
    expect(t?.name).toBe(basename(dir));
    expect(t?.fields).toMatchObject({ directory: dir, workspace: 'default', backend: 'local', state: 'terraform.tfstate' });
    expect(t?.notes).toContain('destroys all 2 resources in workspace "default"');
    expect(t?.unresolved).toBeUndefined();
  });

  it('reads a destroy given through TF_CLI_ARGS_apply or TF_CLI_ARGS', async () => {
    const viaApply = await resolveIn(dir, ['terraform', 'apply'], { TF_CLI_ARGS_apply: '-destroy' });
    const viaGeneral = await resolveIn(dir, ['terraform'], { TF_CLI_ARGS: 'destroy -target=terraform_data.a' });
    expect(viaApply?.resources?.count).toBe(2);
    expect(viaGeneral?.resources?.names).toEqual(['terraform_data.a']);
  });

  it('reads nothing for an apply whose effect only a plan would show', async () => {
    const t = await resolveIn(dir, ['terraform', 'apply', '-auto-approve']);
    expect(t?.resources).toBeUndefined();
    expect(t?.fields.workspace).toBe('default');
  });

  it('uses the workspace from TF_WORKSPACE and its own state file', async () => {
    const t = await resolveIn(dir, ['terraform', 'destroy'], { TF_WORKSPACE: 'production' });
    expect(t?.name).toBe('production');
    expect(t?.fields.state).toBe('terraform.tfstate.d/production/terraform.tfstate');
    expect(t?.resources?.count).toBe(2);
  });

  it('names only the address `state rm` forgets', async () => {
    const t = await resolveIn(dir, ['terraform', 'state', 'rm', 'terraform_data.a']);
    expect(t?.resources).toEqual({ count: 1, names: ['terraform_data.a'], dataHolding: [] });
    expect(t?.notes?.[0]).toMatch(/^forgets 1 resource: it keeps running/);
  });

  it('narrows `destroy -target` to the targeted resource and says dependents are not counted', async () => {
    const t = await resolveIn(dir, ['terraform', 'destroy', '-target=terraform_data.b']);
    expect(t?.resources?.names).toEqual(['terraform_data.b']);
    expect(t?.notes?.join('\n')).toMatch(/depend on the targets/);
  });

  it('reads what a saved plan deletes with `terraform show -json`', async () => {
    const t = await resolveIn(dir, ['terraform', 'apply', 'destroy.tfplan']);
    expect(t?.resources?.names).toEqual(['terraform_data.a', 'terraform_data.b']);
    expect(t?.notes).toContain('the saved plan destroy.tfplan deletes 2 resources');
  });

  it('marks the resources unresolved when the saved plan cannot be read', async () => {
    const t = await resolveIn(dir, ['terraform', 'apply', 'missing.tfplan']);
    expect(t?.resources).toBeUndefined();
    expect(t?.unresolved).toEqual(['resources']);
    expect(t?.notes?.[0]).toMatch(/^reading the saved plan missing.tfplan failed/);
  });

  it('reads the state of the workspace `workspace delete` would delete', async () => {
    const t = await resolveIn(dir, ['terraform', 'workspace', 'delete', '-force', 'production']);
    expect(t?.name).toBe('production');
    expect(t?.resources?.count).toBe(2);
    expect(t?.notes?.[0]).toMatch(/deletes workspace "production" and its state: 2 resources keep running/);
  });

  it('says where terraform found no state at all, without claiming the count is 0', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bg-tf-empty-'));
    const t = await resolveIn(empty, ['terraform', 'destroy'], { TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc' });
    expect(t?.unresolved).toEqual(['resources']);
    expect(t?.notes).toEqual([`terraform found no state file in ${empty}`]);
  });

  it('`check --json` of destroy exits 10 and names both resources; the text output says "2 resources"', () => {
    const box = sandbox();
    const json = blastgate(['check', '--json', '--', 'terraform', `-chdir=${dir}`, 'destroy'], { env: box.env, cwd: tmpdir() });
    expect(json.code).toBe(10);
    const verdict = JSON.parse(json.stdout);
    expect(verdict.target.resources.names).toEqual(['terraform_data.a', 'terraform_data.b']);
    expect(verdict.target.resources.count).toBe(2);
    const text = blastgate(['check', '--', 'terraform', `-chdir=${dir}`, 'destroy'], { env: box.env, cwd: tmpdir() });
    expect(text.code).toBe(10);
    expect(text.stdout).toContain('resources: 2 (terraform_data.a, terraform_data.b)');
    expect(text.stdout).toContain('destroys all 2 resources');
  });

  it('applying a saved destroy plan is critical for a human too; a normal plan stays as the rule says', () => {
    const box = sandbox();
    tf('plan', '-input=false', '-out=noop.tfplan');
    const destroy = blastgate(['check', '--json', '--', 'terraform', `-chdir=${dir}`, 'apply', 'destroy.tfplan'], { env: box.env, cwd: tmpdir() });
    expect(destroy.code).toBe(10);
    expect(JSON.parse(destroy.stdout).severity).toBe('critical');
    const noop = blastgate(['check', '--json', '--', 'terraform', `-chdir=${dir}`, 'apply', 'noop.tfplan'], { env: box.env, cwd: tmpdir() });
    expect(noop.code).toBe(0);
    const unreadable = blastgate(['check', '--json', '--', 'terraform', `-chdir=${dir}`, 'apply', 'missing.tfplan'], { env: box.env, cwd: tmpdir() });
    expect(unreadable.code).toBe(10);
    expect(JSON.parse(unreadable.stdout).severity).toBe('high');
  });

  it('`check --json` with TF_WORKSPACE=production reports production', () => {
    const box = sandbox({ TF_WORKSPACE: 'production' });
    const r = blastgate(['check', '--json', '--', 'terraform', `-chdir=${dir}`, 'destroy'], { env: box.env, cwd: tmpdir() });
    expect(r.code).toBe(10);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.blast.production).toBe(true);
    expect(verdict.target.name).toBe('production');
  });

  it('`check` with a terraform that never answers: resources unresolved, still confirm', () => {
    const fake = join(mkdtempSync(join(tmpdir(), 'bg-tf-slow-')), 'bin');
    script(fake, 'terraform', 'sleep 30');
    const box = sandbox({ PATH: `${fake}:${process.env.PATH}` });
    const started = Date.now();
    const r = blastgate(['check', '--json', '--', 'terraform', `-chdir=${dir}`, 'destroy'], { env: box.env, cwd: tmpdir() });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(10);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.target.unresolved).toContain('resources');
    expect(verdict.target.fields.workspace).toBe('default');
  }, 20_000);

  // Last: nothing above may have touched the real state.
  it('left both workspaces with their 2 resources', () => {
    expect(stateOf('default')).toEqual(['terraform_data.a', 'terraform_data.b']);
    expect(stateOf('production')).toEqual(['terraform_data.a', 'terraform_data.b']);
  });
});

describe('terraform resolver with fake binaries', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bg-tf-fake-'));
  });

  it('kills a terraform that hangs at the deadline (its whole process group) and says so', async () => {
    const bin = join(root, 'slow');
    const pidFile = join(root, 'slow.pid');
    const childPidFile = join(root, 'slow-child.pid');
    // The child holds terraform's stdout open: unless the whole group dies, the run cannot end.
    script(bin, 'terraform', `echo $$ > ${pidFile}\nsleep 30 &\necho $! > ${childPidFile}\nwait\necho done`);
    const started = performance.now();
    const t = await resolveIn(root, ['terraform', 'destroy'], { PATH: `${bin}:/usr/bin:/bin` }, 500);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(1500);
    expect(t?.unresolved).toEqual(['resources']);
    expect(t?.notes?.[0]).toMatch(/^terraform state list: no answer before the resolve deadline/);
    expect(t?.fields.workspace).toBe('default');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const childPid = Number(readFileSync(childPidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    expect(alive(childPid)).toBe(false);
  });

  it('calls out resources that hold data, skips data sources, and lists the first 10 names', async () => {
    const bin = join(root, 'lister');
    const many = Array.from({ length: 12 }, (_, i) => `aws_iam_role.r${i}`);
    const lines = ['data.aws_caller_identity.me', 'module.db["eu"].aws_db_instance.main[0]', 'aws_s3_bucket.uploads', ...many];
    script(bin, 'terraform', `[ "$1 $2" = "state list" ] || exit 3\nprintf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}`);
    const t = await resolveIn(root, ['terraform', 'destroy'], { PATH: `${bin}:/usr/bin:/bin` });
    expect(t?.resources?.count).toBe(14);
    expect(t?.resources?.names).toHaveLength(10);
    expect(t?.resources?.names).not.toContain('data.aws_caller_identity.me');
    expect(t?.resources?.dataHolding).toEqual(['module.db["eu"].aws_db_instance.main[0]', 'aws_s3_bucket.uploads']);
  });

  it('never runs a terraform from a blastgate shim dir', async () => {
    const shims = join(root, 'shims');
    const real = join(root, 'real');
    const touched = join(root, 'shim-ran');
    script(shims, 'terraform', `touch ${touched}`);
    writeFileSync(join(shims, '.blastgate-shims'), 'stamp\n');
    script(real, 'terraform', `echo 'terraform_data.only'`);
    const t = await resolveIn(root, ['terraform', 'destroy'], { PATH: `${shims}:${real}:/usr/bin:/bin` });
    expect(existsSync(touched)).toBe(false);
    expect(t?.resources?.names).toEqual(['terraform_data.only']);
  });

  it('`state rm` with a state terraform cannot read: the addresses given, and terraform\'s own error', async () => {
    const bin = join(root, 'failing');
    script(bin, 'terraform', `printf '\\033[31m╷\\n│ Error: Backend initialization required\\n' >&2\nexit 1`);
    const t = await resolveIn(root, ['terraform', 'state', 'rm', 'aws_db_instance.main', 'module.cache'], { PATH: `${bin}:/usr/bin:/bin` });
    expect(t?.resources).toEqual({ count: 2, names: ['aws_db_instance.main', 'module.cache'], dataHolding: ['aws_db_instance.main'] });
    expect(t?.notes).toEqual(['terraform state list failed: Error: Backend initialization required; counted the addresses as given']);
  });

  it('runs the binary a path names (`./tools/terraform destroy`), not the one on PATH', async () => {
    script(join(root, 'tools'), 'terraform', `echo 'from_path.named'`);
    script(join(root, 'onpath'), 'terraform', `echo 'from_path.lookup'`);
    const t = await resolveIn(root, ['./tools/terraform', 'destroy'], { PATH: `${join(root, 'onpath')}:/usr/bin:/bin` });
    expect(t?.resources?.names).toEqual(['from_path.named']);
  });

  it('does not guess a -chdir only known at run time', async () => {
    const t = await resolveIn(root, ['terraform', '-chdir=$INFRA', 'destroy']);
    expect(t?.fields).toEqual({ directory: '$INFRA' });
    expect(t?.unresolved).toEqual(['workspace', 'resources']);
  });

  it('runs tofu for a tofu command', async () => {
    const bin = join(root, 'tofu-only');
    script(bin, 'tofu', `echo 'tofu_thing.x'`);
    const t = await resolveIn(root, ['tofu', 'destroy'], { PATH: `${bin}:/usr/bin:/bin` });
    expect(t?.resources?.names).toEqual(['tofu_thing.x']);
  });

  it('reads a remote backend from .terraform without showing credentials, and does not read remote state with network off', async () => {
    const dir = join(root, 'remote');
    const bin = join(root, 'never');
    const touched = join(root, 'remote-ran');
    script(bin, 'terraform', `touch ${touched}`);
    mkdirSync(join(dir, '.terraform'), { recursive: true });
    writeFileSync(join(dir, '.terraform', 'terraform.tfstate'), JSON.stringify({
      version: 3,
      backend: { type: 's3', config: { bucket: 'acme-prod-tfstate', key: 'shop/terraform.tfstate', region: 'eu-west-1', access_key: 'AKIASECRET', secret_key: 'hunter2' } },
    }));
    writeFileSync(join(dir, '.terraform', 'environment'), 'blue\n');
    const t = await resolveIn(dir, ['terraform', 'destroy'], { PATH: `${bin}:/usr/bin:/bin` });
    expect(t?.fields).toEqual({ directory: dir, workspace: 'blue', backend: 's3', bucket: 'acme-prod-tfstate', key: 'shop/terraform.tfstate', region: 'eu-west-1' });
    expect(JSON.stringify(t)).not.toMatch(/AKIASECRET|hunter2/);
    expect(t?.unresolved).toEqual(['resources']);
    expect(existsSync(touched)).toBe(false);
    expect(productionOf(t!, DEFAULT_POLICY.production.patterns!)).toBe(true);
  });

  it('names a backend configured but never initialised', async () => {
    const dir = join(root, 'uninit');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'backend.tf'), 'terraform {\n  backend "gcs" {\n    bucket = "x"\n  }\n}\n');
    const t = await resolveIn(dir, ['terraform', 'destroy']);
    expect(t?.fields.backend).toBe('gcs (not initialized)');
    expect(t?.unresolved).toEqual(['resources']);
  });

  it('says so when -chdir points nowhere', async () => {
    const t = await resolveIn(root, ['terraform', '-chdir=does-not-exist', 'destroy']);
    expect(t?.notes?.[0]).toMatch(/does not exist/);
  });

});
