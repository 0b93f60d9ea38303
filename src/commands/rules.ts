// `blastgate rules list|show|test`.
import { basename, resolve } from 'node:path';
import { failOnLayerProblems, loadEngine } from '../engine.js';
import { ConfigError, RulesetError, UsageError } from '../errors.js';
import { runRuleExamples } from '../rulesets/examples.js';
import type { Ruleset } from '../rulesets/types.js';

const print = (t: string) => process.stdout.write(`${t}\n`);

/** `rules list --tools`: one line per ruleset — the tool, the programs it guards, how many rules. */
const toolRows = (sets: Ruleset[]) =>
  sets.map((set) => ({ tool: set.tool, binaries: set.binaries, rules: set.rules.length + (set.mcp?.length ?? 0), origin: set.origin }));

export const rulesList = async (opts: { json?: boolean; tools?: boolean }): Promise<number> => {
  const { index } = await loadEngine();
  if (opts.tools) {
    const rows = toolRows(index.rulesets);
    if (opts.json) print(JSON.stringify(rows));
    else for (const r of rows) print(`${r.tool.padEnd(18)} ${String(r.rules).padStart(3)} rules  ${r.origin.padEnd(8)} ${r.binaries.join(', ')}`);
    return 0;
  }
  const rows = index.rulesets.flatMap((set) => [...set.rules, ...(set.mcp ?? [])].map((r) => ({ id: r.id, severity: r.severity, origin: set.origin, message: r.message })));
  if (opts.json) print(JSON.stringify(rows));
  else for (const r of rows) print(`${r.id.padEnd(36)} ${r.severity.padEnd(9)} ${r.origin.padEnd(8)} ${r.message}`);
  return 0;
};

export const rulesShow = async (id: string): Promise<number> => {
  const { index } = await loadEngine();
  for (const set of index.rulesets) {
    const rule = set.rules.find((r) => r.id === id) ?? set.mcp?.find((r) => r.id === id);
    if (!rule) continue;
    const { stringify } = await import('yaml');
    print(`# ${set.source} (${set.origin})\n${stringify(rule)}`);
    return 0;
  }
  const { nearest } = await import('../io/nearest.js');
  const near = nearest(id, index.rulesets.flatMap((set) => set.rules.map((r) => r.id)));
  throw new UsageError(`rules show: no rule "${id}"${near ? `; did you mean ${near}?` : ''} (see \`blastgate rules list\`)`);
};

/** `rules test config.yaml`: the same one-line answer for a policy file (syntax, values, rule ids). */
const testConfigFile = async (file: string): Promise<number> => {
  const { parseConfigText, readConfigText } = await import('../config/policy.js');
  const text = readConfigText(file);
  if (text === null) throw new UsageError(`${file}: no such file`);
  const policy = await parseConfigText(text, file);
  const engine = await loadEngine({ warn: false });
  const { unknownRuleIds } = await import('../config/rule-ids.js');
  const unknown = unknownRuleIds({ ...engine.policy, layers: [{ origin: 'user', file, data: policy, canLoosen: false }] }, engine.index)[0];
  if (unknown) throw new ConfigError(unknown.message);
  print(`${file}: ok`);
  return 0;
};

export const rulesTest = async (file: string | undefined): Promise<number> => {
  let sets: Ruleset[];
  if (file && /^config\.(ya?ml|json)$/.test(basename(file))) return testConfigFile(resolve(file));
  const engine = await loadEngine();
  if (file) {
    const { loadRulesetFile } = await import('../rulesets/load.js');
    const set = loadRulesetFile(resolve(file), 'user');
    // A user file may not redefine a built-in or system rule id: check it against those layers.
    const { lineOfId, loadRuleIndex } = await import('../rulesets/registry.js');
    const { buildIndex } = await import('../rulesets/compile.js');
    const { resolvePaths } = await import('../config/paths.js');
    const trusted = await loadRuleIndex({ paths: resolvePaths(process.env), cwd: process.cwd(), trustedOnly: true });
    const clash = buildIndex([...trusted.rulesets, set], lineOfId).problems?.[0];
    if (clash) throw new RulesetError(clash.message);
    sets = [set];
  } else {
    failOnLayerProblems(engine);
    sets = engine.index.rulesets;
  }
  let passed = 0;
  let failed = 0;
  for (const set of sets) {
    for (const rule of set.rules) {
      for (const r of await runRuleExamples(set, rule, engine.index.apiHosts ?? [])) {
        if (r.ok) passed++;
        else {
          failed++;
          process.stderr.write(`FAIL ${r.rule}: expected ${r.expected}: ${r.example}${r.firedRules.length ? ` (fired: ${r.firedRules.join(', ')})` : ''}\n`);
        }
      }
    }
  }
  if (sets.some((s) => (s.mcp ?? []).length > 0)) {
    const { runMcpExamples } = await import('../hooks/mcp/examples.js');
    for (const set of sets) {
      for (const r of await runMcpExamples(set)) {
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
