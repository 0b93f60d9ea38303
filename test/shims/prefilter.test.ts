// What the prefilter derives from rules, and that every generated shim is valid POSIX sh.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/rulesets/compile.js';
import { loadRulesetFile, parseRuleset } from '../../src/rulesets/load.js';
import { MAY_DESTROY } from '../../src/analyzers/sql.js';
import { clausesOf, INLINE_KEYWORDS, prefilterFor } from '../../src/shims/prefilter.js';
import { makeWorld } from './shim-sandbox.js';

const ROOT = join(import.meta.dirname, '..', '..');
const builtin = () => buildIndex(readdirSync(join(ROOT, 'rulesets')).filter((f) => f.endsWith('.yaml')).map((f) => loadRulesetFile(join(ROOT, 'rulesets', f), 'builtin')));

const ruleset = (yaml: string) => parseRuleset(yaml, 'test.yaml', 'user');

describe('prefilter conditions', () => {
  const set = ruleset(`tool: t
binaries: [t]
grammar: { style: posix, aliases: { -f: --force }, valueFlags: [-c], payloads: { sql: { flags: [-c], stdin: true } } }
rules:
  - id: t:a
    severity: high
    message: m
    match: { command: [push], flags: { --force: true, --dry-run: false }, unless: { flags: { --yes: true } } }
    examples: { match: [t push -f] }
`);

  it('needs each command word, every spelling of each flag, and ignores `false` flags and `unless`', () => {
    expect(clausesOf(set.rules[0]!.match, set)).toEqual([
      [{ kind: 'word', word: 'push' }],
      [{ kind: 'flag', style: 'posix', spelling: '--force' }, { kind: 'flag', style: 'posix', spelling: '-f' }],
    ]);
  });

  it('a payload needs one of its flags (inline text: and one of the analyzer\'s keywords somewhere), or a stdin that is not a terminal', () => {
    expect(clausesOf({ payload: { analyzer: 'sql', kinds: ['drop-table'] } }, set)).toEqual([
      [{ kind: 'inline', style: 'posix', spelling: '-c', keywords: INLINE_KEYWORDS.sql }, { kind: 'stdin' }],
    ]);
  });

  it("the SQL keywords are a superset of the analyzer's own prefilter: text it would parse always holds one", () => {
    // Random texts over an alphabet rich in the keywords' letters and the analyzer's special characters.
    const alphabet = 'dropDROtruncaeTRUNCAElvkVKyYgmbBiI \t\n$`{}\\;:\'"-_';
    let seed = 15;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const samples = [
      ...Array.from({ length: 20_000 }, () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')),
      'DROP TABLE x', 'do $$ begin end $$', 'COPY t TO PROGRAM \'rm\'', 'select dblink_exec(1)', 'TrUnCaTe t', '\\! rm -rf /', 'select `x`', 'xargs {}',
    ];
    let parsed = 0;
    for (const text of samples) {
      if (!MAY_DESTROY.test(text)) continue;
      parsed++;
      expect(INLINE_KEYWORDS.sql!.some((k) => text.toLowerCase().includes(k)), text).toBe(true);
    }
    expect(parsed).toBeGreaterThan(1000);
  });

  it('`any` needs one branch: the union of one necessary clause from each', () => {
    expect(clausesOf({ any: [{ flags: { '--force': true } }, { args: '^\\+' }] }, set)).toEqual([
      [{ kind: 'flag', style: 'posix', spelling: '--force' }, { kind: 'flag', style: 'posix', spelling: '-f' }, { kind: 'positional' }],
    ]);
    // A branch with no testable condition makes the whole `any` untestable (dropped, never guessed).
    expect(clausesOf({ any: [{ flags: { '--force': true } }, { flags: { '--x': false } }] }, set)).toEqual([]);
  });

  it('env conditions are tested from sh; names sh cannot read are not guessed', () => {
    expect(clausesOf({ env: { RAILWAY_API_TOKEN: true, 'BAD-NAME': true, UNSET_ME: false } }, set)).toEqual([[{ kind: 'env', name: 'RAILWAY_API_TOKEN' }]]);
  });

  it('sends everything to the full check when a rule has nothing testable', () => {
    const loose = ruleset(`tool: t\nbinaries: [t]\nrules:\n  - id: t:env\n    severity: high\n    message: m\n    match: { env: { X: false } }\n    examples: { match: [t] }\n`);
    expect(prefilterFor(buildIndex([loose]), 't').always).toMatch(/t:env has no condition/);
  });

  it('sends wrappers and unguarded programs to the full check', () => {
    const index = builtin();
    const withSudo = buildIndex([...index.rulesets, ruleset(`tool: sudo\nbinaries: [sudo]\nrules:\n  - id: sudo:x\n    severity: high\n    message: m\n    match: { command: [x] }\n    examples: { match: [sudo x] }\n`)]);
    expect(prefilterFor(withSudo, 'sudo').always).toMatch(/wrapper/);
    expect(prefilterFor(index, 'not-guarded').always).toMatch(/no ruleset/);
  });

  it('every built-in tool gets a real fast path (no tool falls back to always-full)', () => {
    const index = builtin();
    const always = Object.keys(index.byBinary).map((t) => prefilterFor(index, t)).filter((p) => p.always);
    expect(always.map((p) => `${p.tool}: ${p.always}`)).toEqual([]);
  });
});

describe('generated shims', () => {
  it('are valid POSIX sh (dash -n) and bash (bash -n) for every built-in tool', async () => {
    const world = makeWorld();
    const index = builtin();
    const tools = Object.keys(index.byBinary);
    const result = await world.shims(tools, { index, full: 'fake' });
    expect(result.written.sort()).toEqual([...tools].sort());
    for (const tool of tools) {
      for (const sh of ['/bin/dash', '/bin/bash']) {
        const r = spawnSync(sh, ['-n', join(result.dir, tool)], { encoding: 'utf8' });
        expect(r.status, `${sh} -n ${tool}: ${r.stderr}`).toBe(0);
      }
      expect(readFileSync(join(result.dir, tool), 'utf8')).toMatch(/^#!\/bin\/sh\n# blastgate-shim /);
    }
  });
});

describe('psql -c through its shim (recorder full check)', () => {
  it('SQL without a destructive keyword anywhere in argv takes the fast path; with one, the full check', async () => {
    const { bash, fullChecks, resetLogs } = await import('./shim-sandbox.js');
    const world = makeWorld();
    world.fake('psql');
    const index = builtin();
    await world.shims(['psql'], { index, full: 'fake' });
    const env = { ...world.env, PATH: world.pathWith(join(world.root, 'shims'), world.fakebin) };
    const path = (args: string[]) => {
      resetLogs(world);
      expect(bash('psql "$@" </dev/null', { env, args }).code).toBe(0);
      return fullChecks(world).length === 0 ? 'fast' : 'full';
    };
    expect(path(['-c', 'SELECT id, total FROM orders ORDER BY created_at DESC LIMIT 20'])).toBe('fast');
    expect(path(['-X', '-d', 'shop', '--command=select count(*) from users'])).toBe('fast');
    expect(path(['-Xc', 'SELECT 1'])).toBe('fast');
    expect(path(['-c', 'DROP TABLE orders'])).toBe('full');
    expect(path(['-c', 'dRoP table orders'])).toBe('full');
    expect(path(['-cTRUNCATE t'])).toBe('full');
    // The text may arrive in a variable the SQL interpolates, or as a meta-command.
    expect(path(['-v', 'x=1; delete from t', '-c', 'select :x'])).toBe('full');
    expect(path(['-c', '\\! rm -rf /tmp/x'])).toBe('full');
    expect(path(['-f', 'report.sql'])).toBe('full');
  }, 60_000);
});
