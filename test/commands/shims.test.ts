// `blastgate shims list|rehash|remove`: the dir is kept as init set it up, and only our files are touched.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInit } from '../../src/commands/init.js';
import { shimsList, shimsRehash, shimsRemove, type ShimStatus } from '../../src/commands/shims.js';
import { blastgate } from '../helpers/cli.js';
import { makeWorld } from '../shims/shim-sandbox.js';

const T = 60_000;

const installed = async (tools = 'terraform,psql') => {
  const w = makeWorld();
  w.fake('terraform', 'psql');
  const env: NodeJS.ProcessEnv = { ...w.env, PATH: `${w.fakebin}:/usr/bin:/bin` };
  await runInit({ env, out: () => {}, tools, shellRc: false });
  return { w, env, dir: join(w.env.XDG_DATA_HOME!, 'blastgate', 'shims') };
};

const list = async (env: NodeJS.ProcessEnv) => {
  const lines: string[] = [];
  await shimsList({ env, json: true, out: (l) => lines.push(l) });
  return JSON.parse(lines[0]!) as { mode: string; shims: ShimStatus[] };
};

describe('blastgate shims', () => {
  it('list shows each shim, whether it is current, and its real binary', async () => {
    const { w, env } = await installed();
    const report = await list(env);
    expect(report.mode).toBe('list');
    expect(report.shims).toEqual([
      { tool: 'psql', shim: 'current', real: join(w.fakebin, 'psql'), fastPath: true },
      { tool: 'terraform', shim: 'current', real: join(w.fakebin, 'terraform'), fastPath: true },
    ]);
  }, T);

  it('rehash brings shims up to date after the rules changed', async () => {
    const { env, dir } = await installed();
    const rules = join(env.XDG_CONFIG_HOME!, 'blastgate', 'rules');
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, 'extra.yaml'), 'tool: extra\nbinaries: [terraform]\ngrammar: { style: go }\nrules:\n  - id: extra:plan\n    severity: low\n    message: planning\n    match: { command: [plan] }\n    examples: { match: [terraform plan] }\n');
    expect((await list(env)).shims.every((s) => s.shim === 'outdated')).toBe(true);
    const lines: string[] = [];
    await shimsRehash({ env, out: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/2 written/);
    expect((await list(env)).shims.every((s) => s.shim === 'current')).toBe(true);
    // The new user rule is now part of terraform's prefilter.
    expect(readFileSync(join(dir, 'terraform'), 'utf8')).toContain("'plan'");
  }, T);

  it('remove takes out one shim and keeps the others; without names, all of ours', async () => {
    const { env, dir } = await installed();
    writeFileSync(join(dir, 'README'), 'not a shim');
    await shimsRemove(['psql'], { env, out: () => {} });
    expect(readdirSync(dir).filter((f) => !f.startsWith('.')).sort()).toEqual(['README', 'terraform']);
    await shimsRehash({ env, out: () => {} });
    expect(readdirSync(dir).filter((f) => !f.startsWith('.')).sort()).toEqual(['README', 'terraform']);
    await shimsRemove([], { env, out: () => {} });
    expect(readdirSync(dir)).toEqual(['README']);
  }, T);

  it('CLI: no shims yet is a usage error naming the fix', () => {
    const r = blastgate(['shims', 'list'], { env: makeWorld().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^blastgate: no shims in .*; run `blastgate init` first/);
  }, T);
});
