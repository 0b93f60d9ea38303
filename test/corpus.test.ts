// The labelled corpus: every line goes through the real pipeline as a human and as an agent, and the
// verdict must fit its label. Labels come from the tools' documentation, never from our rulesets.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../src/config/paths.js';
import { loadPolicy, type Policy } from '../src/config/policy.js';
import { guard, type GuardContext } from '../src/pipeline.js';
import { loadRuleIndex } from '../src/rulesets/registry.js';
import type { Actor, Verdict } from '../src/types.js';

type Label = 'dangerous' | 'caution' | 'safe';
interface Entry {
  line: string;
  label: Label;
  tool: string;
  why: string;
}

const LABELS: readonly Label[] = ['dangerous', 'caution', 'safe'];
const FAMILIES = [
  'plain',
  'flag-spellings',
  'wrappers',
  'nested-shells',
  'absolute-paths',
  'env-config',
  'pipelines-substitutions',
  'scripts',
  'safe-lookalikes',
];
const MIN_LINES = 300;

const dir = join(import.meta.dirname, 'corpus');
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();

/** Parse one corpus file; a malformed line fails loudly with its file and line number. */
const readCorpus = (file: string): Entry[] =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .map((text, i) => ({ text, n: i + 1 }))
    .filter(({ text }) => text.trim() !== '')
    .map(({ text, n }) => {
      let entry: Entry;
      try {
        entry = JSON.parse(text) as Entry;
      } catch (err) {
        throw new Error(`${file}:${n}: invalid JSON: ${(err as Error).message}`);
      }
      const ok =
        typeof entry.line === 'string' && entry.line.trim() !== '' &&
        LABELS.includes(entry.label) &&
        typeof entry.tool === 'string' && entry.tool !== '' &&
        typeof entry.why === 'string' && entry.why !== '';
      if (!ok) throw new Error(`${file}:${n}: expected {line, label: ${LABELS.join('|')}, tool, why}`);
      return entry;
    });

const corpus = new Map(files.map((f) => [f, readCorpus(f)]));
const all = [...corpus.values()].flat();

// SQL files some lines read (`psql -f cleanup.sql`, `psql < report.sql`); their content decides the label.
const FIXTURES: Record<string, string> = {
  'cleanup.sql': 'DROP TABLE audit_log;\n',
  'report.sql': 'SELECT id, total FROM orders ORDER BY created_at DESC LIMIT 20;\n',
};

let contexts: Record<Actor, GuardContext>;

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'blastgate-corpus-'));
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(cwd, name), text);
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_DATA_HOME: join(home, 'data'),
    BLASTGATE_SYSTEM_DIR: join(home, 'system'),
  };
  // The default system dir (/etc/blastgate) is always read for a lock; point it away so no host config counts.
  const paths = { ...resolvePaths(env), defaultSystemDir: join(home, 'system') };
  const index = await loadRuleIndex({ paths, cwd });
  const policyFor = (actor: Actor): Promise<Policy> => loadPolicy({ paths, cwd, actor });
  const ctx = async (actor: Actor): Promise<GuardContext> => ({
    env: {},
    cwd,
    actor: { actor, reason: 'set by the corpus test' },
    index,
    policy: await policyFor(actor),
    resolve: false,
  });
  contexts = { human: await ctx('human'), agent: await ctx('agent') };
});

const describeVerdict = (actor: Actor, v: Verdict): string => {
  const matches = v.matches.map((m) => `${m.rule}@${m.severity}`).join(', ') || 'none';
  const unknowns = v.unknowns.map((u) => u.reason).join('; ') || 'none';
  return `${actor}: ${v.decision} (matches: ${matches}; unknowns: ${unknowns}; reason: ${v.reason})`;
};

/** Human and agent decisions for one line, plus a readable account for the failure message. */
const verdicts = async (line: string) => {
  const human = await guard({ kind: 'line', text: line }, contexts.human);
  const agent = await guard({ kind: 'line', text: line }, contexts.agent);
  return { human: human.decision, agent: agent.decision, account: `${describeVerdict('human', human)}\n${describeVerdict('agent', agent)}` };
};

// What each label demands of the two actors.
const EXPECTED: Record<Label, { human: (d: string) => boolean; agent: (d: string) => boolean; text: string }> = {
  dangerous: { human: (d) => d !== 'allow', agent: (d) => d !== 'allow', text: 'not allowed for a human nor an agent' },
  caution: { human: (d) => d === 'allow', agent: (d) => d !== 'allow', text: 'allowed for a human, not for an agent' },
  safe: { human: (d) => d === 'allow', agent: (d) => d === 'allow', text: 'allowed for both' },
};

const title = (line: string) => line.replaceAll('\n', ' ⏎ ').replaceAll('\t', '⇥');

describe('corpus', () => {
  it(`has every family file and at least ${MIN_LINES} lines`, () => {
    expect(files).toEqual(expect.arrayContaining(FAMILIES.map((f) => `${f}.jsonl`)));
    expect(all.length).toBeGreaterThanOrEqual(MIN_LINES);
  });

  it('has no duplicate lines', () => {
    const seen = new Map<string, string>();
    const dups: string[] = [];
    for (const [file, entries] of corpus) {
      for (const e of entries) {
        if (seen.has(e.line)) dups.push(`${title(e.line)} (${seen.get(e.line)} and ${file})`);
        seen.set(e.line, file);
      }
    }
    expect(dups).toEqual([]);
  });

  it('has only safe lines in safe-lookalikes.jsonl', () => {
    const wrong = (corpus.get('safe-lookalikes.jsonl') ?? []).filter((e) => e.label !== 'safe').map((e) => e.line);
    expect(wrong).toEqual([]);
  });
});

for (const [file, entries] of corpus) {
  describe(file, () => {
    for (const entry of entries) {
      it(`${entry.label}: ${title(entry.line)}`, async () => {
        const got = await verdicts(entry.line);
        const want = EXPECTED[entry.label];
        const message = `${entry.label} (${want.text}) — ${entry.why}\n${got.account}`;
        expect(want.human(got.human) && want.agent(got.agent), message).toBe(true);
      });
    }
  });
}
