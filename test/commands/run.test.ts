// `blastgate run`: its own argument handling; the passthrough itself is tested end to end in test/shims/.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunArgs, readsStdin, refusalLine, toolEnvironment } from '../../src/commands/run.js';
import { buildIndex } from '../../src/rulesets/compile.js';
import { loadRulesetFile } from '../../src/rulesets/load.js';
import { SAVED_NODE_OPTIONS } from '../../src/shims/marker.js';
import type { Verdict } from '../../src/types.js';
import { blastgate } from '../helpers/cli.js';
import { makeWorld, toolRun } from '../shims/shim-sandbox.js';

const T = 60_000;
const rulesets = join(import.meta.dirname, '..', '..', 'rulesets');

describe('blastgate run', () => {
  it('takes the tool after --, or as the first word', () => {
    expect(parseRunArgs(['--', 'terraform', '--help'])).toEqual({ tool: 'terraform', args: ['--help'] });
    expect(parseRunArgs(['terraform', '-chdir=x', 'plan'])).toEqual({ tool: 'terraform', args: ['-chdir=x', 'plan'] });
    expect(parseRunArgs(['--', '--weird-tool'])).toEqual({ tool: '--weird-tool', args: [] });
    expect(() => parseRunArgs([])).toThrow(/missing the command/);
    expect(() => parseRunArgs(['--'])).toThrow(/missing the command/);
    expect(() => parseRunArgs(['--json', 'terraform'])).toThrow(/put the command after --/);
  });

  it("gives the tool back the NODE_OPTIONS the shim hid from blastgate's node, only when the shim says it did", () => {
    expect(toolEnvironment({ A: '1', [SAVED_NODE_OPTIONS]: '--require x' }, true)).toEqual({ A: '1', NODE_OPTIONS: '--require x' });
    expect(toolEnvironment({ A: '1', [SAVED_NODE_OPTIONS]: '' }, true)).toEqual({ A: '1', NODE_OPTIONS: '' });
    expect(toolEnvironment({ A: '1' }, true)).toEqual({ A: '1' });
    // A caller's own variable of that name is theirs: never turned into NODE_OPTIONS.
    expect(toolEnvironment({ A: '1', [SAVED_NODE_OPTIONS]: '--require x' })).toEqual({ A: '1', [SAVED_NODE_OPTIONS]: '--require x' });
  });

  it('reads the shim protocol options before the command', () => {
    expect(parseRunArgs(['--answer-fd', '9', '--nonce', '123', '--node-options', '--', 'psql', '-c', 'x'])).toEqual({
      tool: 'psql', args: ['-c', 'x'], answer: { fd: 9, nonce: '123' }, nodeOptionsSaved: true,
    });
    expect(() => parseRunArgs(['--answer-fd', '9', '--', 'psql'])).toThrow(/go together/);
  });

  it('reads stdin only for tools whose rules judge it', () => {
    const index = buildIndex(['psql.yaml', 'terraform.yaml', 'curl.yaml'].map((f) => loadRulesetFile(join(rulesets, f), 'builtin')));
    expect(readsStdin(index, 'psql', ['-d', 'shop'])).toBe(true);
    expect(readsStdin(index, 'terraform', ['apply'])).toBe(false);
    expect(readsStdin(index, 'curl', ['-d', '@-', 'https://x'])).toBe(true);
    expect(readsStdin(index, 'curl', ['https://x'])).toBe(false);
  });

  it('explains a refusal in one line naming the rule', () => {
    const verdict = { severity: 'critical', matches: [{ rule: 'terraform:destroy', severity: 'critical', message: 'Destroys\nevery resource.' }], unknowns: [] } as unknown as Verdict;
    const line = refusalLine(['terraform', 'destroy'], verdict, 'declined');
    expect(line).toBe('terraform destroy not run: declined [terraform:destroy, critical: Destroys every resource.]');
    expect(line).not.toContain('\n');
  });

  it('CLI: `run -- tool --help` passes --help to the tool; `run --help` is blastgate\'s help', () => {
    const w = makeWorld();
    w.fake('bgtest-tool');
    const env: NodeJS.ProcessEnv = { ...w.env, PATH: `${w.fakebin}:/usr/bin:/bin` };
    const r = blastgate(['run', '--', 'bgtest-tool', '--help', '-x'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(toolRun(w)?.argv).toEqual(['--help', '-x']);
    const help = blastgate(['run', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Everything after -- goes to the tool untouched');
  }, T);

  it('CLI: refuses to recurse when resolvers keep reaching the shims', () => {
    const w = makeWorld();
    w.fake('bgtest-tool');
    const env: NodeJS.ProcessEnv = { ...w.env, PATH: `${w.fakebin}:/usr/bin:/bin` };
    const nested = blastgate(['run', '--', 'bgtest-tool'], { env: { ...env, BLASTGATE_RUN_DEPTH: '2' } });
    expect(nested.code, nested.stderr).toBe(0);
    expect(toolRun(w)?.env.BLASTGATE_RUN_DEPTH).toBe('2');
    const deep = blastgate(['run', '--', 'bgtest-tool', 'x'], { env: { ...env, BLASTGATE_RUN_DEPTH: '3' } });
    expect(deep.code).toBe(77);
    expect(deep.stderr).toMatch(/^blastgate: bgtest-tool: not run: blastgate run nested 3 deep/);
    expect(toolRun(w)?.argv).toEqual([]);
  }, T);

  it('CLI: a missing command is a usage error (exit 2)', () => {
    const r = blastgate(['run', '--'], { env: makeWorld().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^blastgate: run: missing the command/);
  }, T);
});
