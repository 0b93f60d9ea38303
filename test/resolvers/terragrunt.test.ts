// The terragrunt resolver: working dir and, for multi-unit runs, the units under it (terragrunt never runs).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/config/policy.js';
import { resolveTerragrunt } from '../../src/resolvers/terragrunt.js';
import { productionOf } from '../../src/stages/decide.js';
import type { Target } from '../../src/types.js';
import { blastgate, sandbox } from '../helpers/cli.js';
import { invocationOf } from '../helpers/process.js';

const invocation = (argv: string[]) => invocationOf(argv);

const resolveIn = (cwd: string, argv: string[], env: Record<string, string> = {}): Promise<Target | undefined> =>
  resolveTerragrunt(invocation(argv), [], { env, cwd, timeoutMs: 3000, network: false, signal: new AbortController().signal });

const unit = (dir: string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'terragrunt.hcl'), 'terraform { source = "../modules/x" }\n');
};

describe('terragrunt resolver', () => {
  let infra: string;
  beforeAll(() => {
    infra = join(mkdtempSync(join(tmpdir(), 'bg-tg-')), 'infra');
    unit(join(infra, 'prod', 'db'));
    unit(join(infra, 'prod', 'app'));
    unit(join(infra, 'staging', 'app'));
    // Cached copies are not units.
    unit(join(infra, 'prod', 'db', '.terragrunt-cache', 'abc', 'def'));
    writeFileSync(join(infra, 'terragrunt.stack.hcl'), 'unit "vpc" {\n  source = "x"\n}\nunit "db" {\n  source = "y"\n}\n');
  });

  it.each([
    [['terragrunt', 'run', '--all', '--', 'destroy'], {}],
    [['terragrunt', 'run-all', 'destroy'], {}],
    [['terragrunt', 'destroy', '-all'], {}],
    [['terragrunt', 'run', '--', 'destroy'], { TG_ALL: 'true' }],
  ])('counts the units under the working dir for %j', async (argv, env) => {
    const t = await resolveIn(infra, argv, env);
    expect(t?.fields.scope).toBe(`all units under ${infra}`);
    expect(t?.fields.units).toBe(3);
    expect(t?.fields['unit dirs']).toEqual(['prod/app', 'prod/db', 'staging/app']);
  });

  it('takes the dir from --working-dir (and the legacy --terragrunt-working-dir), relative to cwd', async () => {
    const parent = join(infra, '..');
    const a = await resolveIn(parent, ['terragrunt', 'run', '--all', '--working-dir', 'infra/staging', '--', 'destroy']);
    const b = await resolveIn(parent, ['terragrunt', 'run-all', 'destroy', '--terragrunt-working-dir=infra/prod']);
    expect([a?.name, a?.fields.units]).toEqual(['staging', 1]);
    expect([b?.name, b?.fields.units]).toEqual(['prod', 2]);
  });

  it('is production when any unit path under it looks like production', async () => {
    const t = await resolveIn(infra, ['terragrunt', 'run', '--all', '--', 'destroy']);
    expect(productionOf(t!, DEFAULT_POLICY.production.patterns!)).toBe(true);
    const staging = await resolveIn(join(infra, 'staging'), ['terragrunt', 'run', '--all', '--', 'destroy']);
    expect(productionOf(staging!, DEFAULT_POLICY.production.patterns!)).toBe('unknown');
  });

  it('names the units of a stack for `stack run`', async () => {
    const t = await resolveIn(infra, ['terragrunt', 'stack', 'run', 'destroy']);
    expect(t?.fields.units).toBe(2);
    expect(t?.fields['unit names']).toEqual(['unit vpc', 'unit db']);
  });

  it('a single unit: its directory, and a note that resources are not listed', async () => {
    const dir = join(infra, 'prod', 'db');
    const t = await resolveIn(dir, ['terragrunt', 'destroy']);
    expect(t?.name).toBe(basename(dir));
    expect(t?.fields).toEqual({ directory: dir });
    expect(t?.notes?.[0]).toMatch(/resources are not listed/);
  });

  it('`check --json` of run --all destroy exits 10 with the unit count and production', () => {
    const r = blastgate(['check', '--json', '--', 'terragrunt', 'run', '--all', '--', 'destroy'], { env: sandbox().env, cwd: infra });
    expect(r.code).toBe(10);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.target.fields.units).toBe(3);
    expect(verdict.blast.production).toBe(true);
  });
});
