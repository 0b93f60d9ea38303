// An agent's `terraform apply` without a saved plan is planned first, with the real terraform and
// terraform_data resources (no provider download, no network): what the plan deletes decides, a plan that
// cannot be made is unknown, and lines that change the configuration or state first are never allowed.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTerraform } from '../../src/resolvers/terraform.js';
import { realBinaryCandidates } from '../../src/stages/exec.js';
import type { Actor, Target } from '../../src/types.js';
import { blastgate, sandbox } from '../helpers/cli.js';
import { invocationOf } from '../helpers/process.js';

const hasTerraform = realBinaryCandidates('terraform', { path: process.env.PATH }).length > 0;
const tfEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', TF_CLI_ARGS: '', TF_WORKSPACE: '', TF_CLI_CONFIG_FILE: '/dev/null' };
const CONFIG = 'resource "terraform_data" "db" { input = "db" }\nresource "terraform_data" "a" { input = "a" }\n';

const root = mkdtempSync(join(tmpdir(), 'bg-tfplan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tf = (dir: string, ...args: string[]) => execFileSync('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { env: tfEnv, encoding: 'utf8' });
const ids = (dir: string): Record<string, string> => {
  const state = JSON.parse(tf(dir, 'show', '-json')) as { values?: { root_module?: { resources?: Array<{ address: string; values: { id: string } }> } } };
  return Object.fromEntries((state.values?.root_module?.resources ?? []).map((r) => [r.address, r.values.id]));
};

let base: string;
/** A copy of the applied base directory (state included), so each case starts from the same two resources. */
const copy = (name: string): string => {
  const dir = join(root, name);
  cpSync(base, dir, { recursive: true });
  return dir;
};

const resolveAs = (actor: Actor, cwd: string, argv: string[], over: { timeoutMs?: number; path?: string } = {}): Promise<Target | undefined> =>
  resolveTerraform(invocationOf(argv), [], {
    env: { PATH: over.path ?? process.env.PATH, HOME: process.env.HOME, TF_CLI_CONFIG_FILE: '/dev/null' },
    cwd,
    timeoutMs: over.timeoutMs ?? 8000,
    network: false,
    signal: new AbortController().signal,
    actor,
  });

const plannedMs: number[] = [];
const msOf = (t: Target | undefined) => Number(String(t?.fields['planned in'] ?? '').replace(' ms', ''));

describe.runIf(hasTerraform)('an agent\'s apply is planned with the real terraform', () => {
  beforeAll(() => {
    base = join(root, 'base');
    mkdirSync(base);
    writeFileSync(join(base, 'main.tf'), CONFIG);
    tf(base, 'init', '-input=false');
    tf(base, 'apply', '-auto-approve', '-input=false');
  }, 60_000);

  afterAll(() => {
    if (plannedMs.length) console.log(`terraform plan + show -json for an agent's apply: ${plannedMs.join(', ')} ms (median ${[...plannedMs].sort((x, y) => x - y)[Math.floor(plannedMs.length / 2)]} ms)`);
  });

  it('an unchanged configuration: the plan deletes nothing, the rule\'s own severity stands', async () => {
    const t = await resolveAs('agent', base, ['terraform', 'apply']);
    expect(t?.notes?.[0]).toMatch(/^the plan of this apply deletes 0 resources \(planned in \d+ ms, without the state lock\)$/);
    expect(t?.raise).toBeUndefined();
    expect(t?.resources?.count).toBe(0);
    plannedMs.push(msOf(t));
  });

  it('a configuration that only adds a resource is judged by the plan: "creates 1 resource", nothing raised', async () => {
    const dir = copy('adds');
    writeFileSync(join(dir, 'main.tf'), `${CONFIG}resource "terraform_data" "new" { input = "n" }\n`);
    const t = await resolveAs('agent', dir, ['terraform', 'apply', '-auto-approve']);
    expect(t?.notes?.[0]).toContain('deletes 0 resources; creates 1 resource');
    expect(t?.raise).toBeUndefined();
    plannedMs.push(msOf(t));
  });

  it('a configuration that lost a resource: critical, and the panel names what goes', async () => {
    const dir = copy('removes');
    writeFileSync(join(dir, 'main.tf'), 'resource "terraform_data" "db" { input = "db" }\n');
    const t = await resolveAs('agent', dir, ['terraform', 'apply']);
    expect(t?.raise?.severity).toBe('critical');
    expect(t?.resources?.names).toEqual(['terraform_data.a']);
    expect(t?.raise?.reason).toContain('terraform_data.a');
    plannedMs.push(msOf(t));
  });

  it('a tainted resource is a replacement: critical, "re-created"', async () => {
    const dir = copy('tainted');
    tf(dir, 'taint', 'terraform_data.db');
    const t = await resolveAs('agent', dir, ['terraform', 'apply']);
    expect(t?.raise?.severity).toBe('critical');
    expect(t?.resources?.names).toEqual(['terraform_data.db']);
    expect(t?.notes?.[0]).toContain('(1 of them re-created)');
  });

  it('the apply\'s own -var/-target reach the plan (a -target elsewhere leaves the lost resource out)', async () => {
    const dir = copy('targeted');
    writeFileSync(join(dir, 'main.tf'), 'variable "v" {}\nresource "terraform_data" "db" { input = var.v }\n');
    const t = await resolveAs('agent', dir, ['terraform', 'apply', '-var', 'v=db', '-target=terraform_data.db']);
    expect(t?.raise).toBeUndefined();
    expect(t?.notes?.[0]).toContain('deletes 0 resources');
    const all = await resolveAs('agent', dir, ['terraform', 'apply', '-var=v=db']);
    expect(all?.resources?.names).toEqual(['terraform_data.a']);
  });

  it('a human\'s apply is not planned (terraform shows its own plan to a person)', async () => {
    const t = await resolveAs('human', base, ['terraform', 'apply']);
    expect(t?.fields['planned in']).toBeUndefined();
    expect(t?.raise).toBeUndefined();
  });

  it('a plan terraform cannot make (bad configuration) is unknown: raised to high', async () => {
    const dir = copy('broken');
    writeFileSync(join(dir, 'main.tf'), 'resource "terraform_data" "db" {\n');
    const t = await resolveAs('agent', dir, ['terraform', 'apply']);
    expect(t?.raise?.severity).toBe('high');
    expect(t?.unresolved).toContain('resources');
    expect(t?.notes?.[0]).toMatch(/^terraform plan failed: /);
  });

  it('never touched the state, nor left a lock', () => {
    expect(Object.keys(ids(base)).sort()).toEqual(['terraform_data.a', 'terraform_data.db']);
    expect(existsSync(join(base, '.terraform.tfstate.lock.info'))).toBe(false);
  });
});

describe('the plan under the deadline, with fake terraforms', () => {
  const fakeDir = (name: string, body: string) => {
    const bin = join(root, `bin-${name}`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'terraform'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, 'terraform'), 0o755);
    return bin;
  };
  const workdir = () => {
    const dir = mkdtempSync(join(root, 'wd-'));
    writeFileSync(join(dir, 'main.tf'), CONFIG);
    return dir;
  };

  it('a plan that never finishes: killed at the deadline, unknown (high), never left at the rule\'s severity', async () => {
    const bin = fakeDir('slow', 'sleep 30');
    const started = performance.now();
    const t = await resolveAs('agent', workdir(), ['terraform', 'apply'], { timeoutMs: 1500, path: `${bin}:/usr/bin:/bin` });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(t?.raise?.severity).toBe('high');
    expect(t?.notes?.[0]).toMatch(/no plan before the resolve deadline/);
  });

  it('plans without the state lock, without input, into a temp file, with the apply\'s plan flags only', async () => {
    const log = join(root, 'argv.log');
    const bin = fakeDir('rec', `echo "$@" >> ${log}\ncase "$1" in show) echo '{"resource_changes":[]}';; esac`);
    const privateTmp = mkdtempSync(join(root, 'tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      await resolveAs('agent', workdir(), ['terraform', 'apply', '-auto-approve', '-lock-timeout=5m', '-var', 'x=1', '-refresh=false', '-backup=b.tfstate'], { path: `${bin}:/usr/bin:/bin` });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(privateTmp)).toEqual([]); // the plan file's directory is gone
    const [plan, show] = readFileSync(log, 'utf8').trim().split('\n');
    expect(plan).toMatch(/^plan -input=false -lock=false -no-color -out=\S+\/blastgate-plan-\w+\/apply\.tfplan -var=x=1 -refresh=false$/);
    expect(show).toMatch(/^show -json -no-color \S+apply\.tfplan$/);
  });

  it('providers that would call their APIs are not planned with resolve.network off: unknown', async () => {
    const dir = workdir();
    writeFileSync(join(dir, '.terraform.lock.hcl'), 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.0.0"\n}\n');
    const bin = fakeDir('never', 'echo ran >> /dev/null; exit 1');
    const t = await resolveAs('agent', dir, ['terraform', 'apply'], { path: `${bin}:/usr/bin:/bin` });
    expect(t?.raise?.severity).toBe('high');
    expect(t?.notes?.[0]).toContain('registry.terraform.io/hashicorp/aws');
  });
});

describe.runIf(hasTerraform)('whole lines an agent might send (check --shell)', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(root, 'lines');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), CONFIG);
    tf(dir, 'init', '-input=false');
    tf(dir, 'apply', '-auto-approve', '-input=false');
  }, 60_000);

  const check = (actor: Actor, line: string) => {
    const box = sandbox({ TF_CLI_CONFIG_FILE: '/dev/null' });
    const r = blastgate(['check', '--json', '--actor', actor, '--shell', line], { env: box.env, cwd: dir });
    rmSync(box.root, { recursive: true, force: true });
    return { code: r.code, verdict: JSON.parse(r.stdout) as { decision: string; severity: string; target?: Target } };
  };

  it.each([
    ': > main.tf && echo yes | terraform apply',
    'terraform taint terraform_data.db && echo yes | terraform apply',
    'terraform state mv terraform_data.a terraform_data.b && echo yes | terraform apply',
    "printf 'resource \"terraform_data\" \"db\" {}' > main.tf; yes | terraform apply",
  ])('%s: not allowed for an agent (high: the plan cannot see the future state)', (line) => {
    const { code, verdict } = check('agent', line);
    expect(code).toBe(10);
    expect(verdict.decision).toBe('confirm');
    expect(verdict.severity).toBe('high');
    expect(verdict.target?.notes?.join(' ')).toContain('the plan above is of the configuration as it is now');
  });

  it('echo yes | terraform apply: an agent is asked (judged as -auto-approve); a person goes ahead', () => {
    expect(check('agent', 'echo yes | terraform apply').verdict).toMatchObject({ decision: 'confirm', severity: 'medium' });
    expect(check('human', 'echo yes | terraform apply').verdict).toMatchObject({ decision: 'allow' });
  });

  it('the lines above changed nothing', () => {
    expect(readFileSync(join(dir, 'main.tf'), 'utf8')).toBe(CONFIG);
    expect(Object.keys(ids(dir)).sort()).toEqual(['terraform_data.a', 'terraform_data.db']);
  });
});
