// The fast path is sound: whenever the engine would fire a rule on what a tool receives, the shim
// hands the command to the full check instead of exec'ing the tool. Checked with the real shims (sh)
// on every example of every ruleset and every corpus line: each command is unwrapped to what the
// tool itself would receive, run through its shim by real bash, and the path taken is recorded.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withoutExpansions } from '../../src/match/conditions.js';
import { buildIndex } from '../../src/rulesets/compile.js';
import { loadRulesetFile } from '../../src/rulesets/load.js';
import type { RuleIndex } from '../../src/rulesets/types.js';
import { matchInvocation } from '../../src/stages/match.js';
import { parseLine } from '../../src/stages/parse.js';
import { unwrap } from '../../src/stages/unwrap.js';
import type { Invocation } from '../../src/types.js';
import { bash, bashOnTty, fullChecks, makeWorld, shq, toolRun, type ShimWorld } from './shim-sandbox.js';

const ROOT = join(import.meta.dirname, '..', '..');
const rulesetFiles = readdirSync(join(ROOT, 'rulesets')).filter((f) => f.endsWith('.yaml')).sort();
const corpusFiles = readdirSync(join(ROOT, 'test', 'corpus')).filter((f) => f.endsWith('.jsonl')).sort();
const T = 240_000;

let world: ShimWorld;
let index: RuleIndex;
let cwd: string;

beforeAll(async () => {
  index = buildIndex(rulesetFiles.map((f) => loadRulesetFile(join(ROOT, 'rulesets', f), 'builtin')));
  world = makeWorld();
  const tools = Object.keys(index.byBinary);
  world.fake(...tools);
  await world.shims(tools, { full: 'fake', index });
  cwd = join(world.root, 'work');
  mkdirSync(cwd);
  // Files some corpus lines read (`psql -f cleanup.sql`); the same content the corpus test uses.
  writeFileSync(join(cwd, 'cleanup.sql'), 'DROP TABLE audit_log;\n');
  writeFileSync(join(cwd, 'report.sql'), 'SELECT id, total FROM orders ORDER BY created_at DESC LIMIT 20;\n');
}, T);

/** The argv a tool can receive for an invocation: run-time words as written, and with variables empty. */
const concreteArgvs = (inv: Invocation): string[][] => {
  const args = inv.argv.slice(1);
  if (inv.dynamic.length === 0) return [[inv.program, ...args]];
  const blanked = inv.argv.map((w, i) => (inv.dynamic.includes(i) ? withoutExpansions(w) : w)).slice(1);
  return [[inv.program, ...args], [inv.program, ...blanked]];
};

const stdinText = (inv: Invocation): string | null => {
  switch (inv.stdin.kind) {
    case 'heredoc':
    case 'herestring':
      return inv.stdin.body;
    case 'buffered':
      return inv.stdin.body;
    case 'inherit':
      return null; // the caller's terminal
    default:
      return ''; // a pipe or a file: not a terminal
  }
};

type Path = 'full' | 'direct' | 'none';

interface Case {
  argv: string[];
  env: Record<string, string>;
  /** null: stdin is the caller's terminal. */
  stdin: string | null;
  /** Rules the engine fires on exactly this argv, env and stdin. */
  fires: string[];
  line: string;
}

/**
 * Run every case's shim in one bash per batch (one under a pseudo-terminal for terminal-stdin cases),
 * each with its own log files; returns which path each took: `full` (the recorder got exactly the
 * argv), `direct` (the fake tool ran), or `none`.
 */
const pathsTaken = (cases: Case[]): Path[] => {
  const dir = join(world.root, `batch-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const scriptFor = (tty: boolean) =>
    cases
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => (c.stdin === null) === tty)
      .map(({ c, i }) => {
        if (c.stdin !== null) writeFileSync(join(dir, `${i}.in`), c.stdin);
        // PATH stays ours (the shim must be found); no rule reads PATH.
        const env = Object.entries(c.env).filter(([k]) => k !== 'PATH').map(([k, v]) => shq(`${k}=${v}`));
        const logs = [`FAKE_TOOL_LOG=${shq(join(dir, String(i)))}`, `FAKE_BLASTGATE_LOG=${shq(join(dir, `${i}.full`))}`];
        return `/usr/bin/env -- ${[...logs, ...env].join(' ')} ${c.argv.map(shq).join(' ')}${c.stdin === null ? '' : ` < ${shq(join(dir, `${i}.in`))}`}`;
      })
      .join('\n');
  const opts = { env: { ...world.env, PATH: world.pathWith(join(world.root, 'shims'), world.fakebin) }, cwd };
  bashOnTty(scriptFor(true), opts);
  bash(scriptFor(false), opts);
  return cases.map((c, i) => {
    const calls = fullChecks({ ...world, fullLog: join(dir, `${i}.full`) });
    if (calls.length === 1 && JSON.stringify(calls[0]) === JSON.stringify(c.argv)) return 'full';
    return toolRun({ ...world, toolLog: join(dir, String(i)) }) ? 'direct' : 'none';
  });
};

/** Every invocation of a guarded tool in the lines, as the tool would receive it, with the engine's judgement. */
const casesOf = async (lines: string[]): Promise<Case[]> => {
  const cases: Case[] = [];
  for (const line of lines) {
    const parsed = await parseLine(line);
    for (const cmd of parsed.commands) {
      const { invocations } = await unwrap(cmd, { packages: index.packages });
      for (const inv of invocations) {
        if (!index.byBinary[inv.program] || inv.argsUnknown) continue;
        for (const argv of concreteArgvs(inv)) {
          const concrete: Invocation = { ...inv, argv, dynamic: [] };
          const { matches } = await matchInvocation(concrete, 0, { index, env: {}, cwd });
          cases.push({ argv, env: inv.env, stdin: stdinText(inv), fires: matches.map((m) => m.rule), line });
        }
      }
    }
  }
  return cases;
};

/** Soundness over some lines: every case where a rule fires took the full check. */
const judge = async (lines: string[]) => {
  const cases = await casesOf(lines);
  const paths = pathsTaken(cases);
  const failures = cases
    .map((c, i) => ({ c, path: paths[i]! }))
    .filter(({ c, path }) => c.fires.length > 0 && path !== 'full')
    .map(({ c, path }) => `${c.line}  →  ${JSON.stringify(c.argv)} env ${JSON.stringify(c.env)}: ${path} although ${c.fires.join(', ')} fires`);
  return { failures, fired: cases.filter((c) => c.fires.length > 0).length, direct: paths.filter((p) => p === 'direct').length };
};

describe('fast-path prefilter soundness', () => {
  for (const file of rulesetFiles) {
    it(`every example in rulesets/${file} that fires a rule goes to the full check`, async () => {
      const set = loadRulesetFile(join(ROOT, 'rulesets', file), 'builtin');
      const out = await judge(set.rules.flatMap((r) => [...r.examples.match, ...r.examples['no-match']]));
      expect(out.failures).toEqual([]);
      // Every rule has a match example, so at least that many commands were judged dangerous here.
      expect(out.fired).toBeGreaterThanOrEqual(set.rules.length);
    }, T);
  }

  for (const file of corpusFiles) {
    it(`every line in test/corpus/${file} that fires a rule goes to the full check`, async () => {
      const lines = readFileSync(join(ROOT, 'test', 'corpus', file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { line: string }).line);
      const out = await judge(lines);
      expect(out.failures).toEqual([]);
    }, T);
  }

  it('is not vacuous: safe commands do take the fast path, dangerous ones do not', () => {
    const safe = [['terraform', 'plan'], ['terraform', 'version'], ['git', 'status']];
    // These run on a terminal, where psql (grammar.interactive) may be an agent's session: always the full check.
    const dangerous = [['terraform', 'destroy'], ['git', 'push', '--force', 'origin', 'main'], ['psql', '-c', 'DROP TABLE x'], ['psql', '--version'], ['psql', '-l']];
    const cases = [...safe, ...dangerous].map((argv): Case => ({ argv, env: {}, stdin: null, fires: [], line: argv.join(' ') }));
    expect(pathsTaken(cases)).toEqual([...safe.map(() => 'direct'), ...dangerous.map(() => 'full')]);
  }, T);
});
