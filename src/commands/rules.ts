// `blastgate rules list|show|test`.
import { resolve } from 'node:path';
import { loadEngine } from '../engine.js';
import { UsageError } from '../errors.js';
import { runRuleExamples } from '../rulesets/examples.js';
import type { Ruleset } from '../rulesets/types.js';

const print = (t: string) => process.stdout.write(`${t}\n`);

export const rulesList = async (opts: { json?: boolean }): Promise<number> => {
  const { index } = await loadEngine();
  const rows = index.rulesets.flatMap((set) => set.rules.map((r) => ({ id: r.id, severity: r.severity, origin: set.origin, message: r.message })));
  if (opts.json) print(JSON.stringify(rows));
  else for (const r of rows) print(`${r.id.padEnd(36)} ${r.severity.padEnd(9)} ${r.origin.padEnd(8)} ${r.message}`);
  return 0;
};

export const rulesShow = async (id: string): Promise<number> => {
  const { index } = await loadEngine();
  for (const set of index.rulesets) {
    const rule = set.rules.find((r) => r.id === id);
    if (!rule) continue;
    const { stringify } = await import('yaml');
    print(`# ${set.source} (${set.origin})\n${stringify(rule)}`);
    return 0;
  }
  const { nearest } = await import('../io/nearest.js');
  const near = nearest(id, index.rulesets.flatMap((set) => set.rules.map((r) => r.id)));
  throw new UsageError(`rules show: no rule "${id}"${near ? `; did you mean ${near}?` : ''} (see \`blastgate rules list\`)`);
};

export const rulesTest = async (file: string | undefined): Promise<number> => {
  let sets: Ruleset[];
  const loaded = (await loadEngine()).index;
  if (file) {
    const { loadRulesetFile } = await import('../rulesets/load.js');
    sets = [loadRulesetFile(resolve(file), 'user')];
  } else {
    sets = loaded.rulesets;
  }
  let passed = 0;
  let failed = 0;
  for (const set of sets) {
    for (const rule of set.rules) {
      for (const r of await runRuleExamples(set, rule, loaded.apiHosts ?? [])) {
        if (r.ok) passed++;
        else {
          failed++;
          process.stderr.write(`FAIL ${r.rule}: expected ${r.expected}: ${r.example}${r.firedRules.length ? ` (fired: ${r.firedRules.join(', ')})` : ''}\n`);
        }
      }
    }
  }
  print(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
};
