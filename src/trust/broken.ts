// A user or project file that cannot be used must neither stop everything nor let anything through:
// its rules are not in force, so the commands of the tool it would have added rules to need confirmation;
// commands of other tools go on as the built-in and system layers decide.
import { readFileSync } from 'node:fs';
import type { LayerProblem, RuleIndex, Ruleset } from '../rulesets/types.js';
import type { Unknown } from '../types.js';

const lineFrom = (message: string, file: string): number | null => {
  const m = message.slice(message.indexOf(file) + file.length).match(/^:(\d+)/);
  return m ? Number(m[1]) : null;
};

/** The tool and programs a file that did not parse meant to guard, read loosely from its text. */
const guessBinaries = (file: string, loaded: Ruleset[]): string[] | null => {
  let text = '';
  try {
    text = readFileSync(file, 'utf8').slice(0, 65536);
  } catch {
    return null;
  }
  const tool = text.match(/^tool:\s*["']?([\w.@/-]+)/m)?.[1];
  if (!tool) return null;
  const out = new Set<string>([tool]);
  const inline = text.match(/^binaries:\s*\[([^\]]*)\]/m)?.[1];
  for (const b of inline?.split(',') ?? []) if (b.trim()) out.add(b.trim().replace(/^["']|["']$/g, ''));
  const block = text.match(/^binaries:\s*\n((?:\s+-\s*.+\n?)+)/m)?.[1];
  for (const b of block?.split('\n') ?? []) {
    const v = b.replace(/^\s+-\s*/, '').trim().replace(/^["']|["']$/g, '');
    if (v) out.add(v);
  }
  for (const set of loaded) if (set.tool === tool) for (const b of set.binaries) out.add(b);
  return [...out];
};

export const brokenRuleFile = (file: string, message: string, loaded: Ruleset[]): LayerProblem => {
  const line = lineFrom(message, file);
  const oneLine = message.split('\n')[0]!;
  // A directory named like a ruleset holds no rules: it concerns no tool.
  const binaries = /\(EISDIR\)/.test(oneLine) ? [] : guessBinaries(file, loaded);
  return { file, line, message: oneLine.startsWith(file) ? oneLine : `${file}: ${oneLine}`, binaries };
};

/** The unknowns a set-aside file adds to an invocation of `program` (which is guarded when `guarded`). */
export const problemUnknowns = (problems: LayerProblem[] | undefined, program: string, guarded: boolean): Unknown[] =>
  (problems ?? [])
    .filter((p) => (p.binaries === null ? guarded : p.binaries.includes(program)))
    .map((p) => ({ reason: `${p.message} — its rules are not in force; fix it and run \`blastgate rules test ${p.file}\``, text: program }));

/** Index + policy problems that apply to one invocation. Policy problems apply to any command a rule matched. */
export const layerUnknowns = (index: RuleIndex, policyProblems: LayerProblem[] | undefined, program: string, matched: boolean): Unknown[] => [
  ...problemUnknowns(index.problems, program, (index.byBinary[program]?.length ?? 0) > 0),
  ...(matched ? problemUnknowns(policyProblems, program, true) : []),
];
