// Load every ruleset that applies here: built-in (compiled JSON), system, user and project files.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUp, type Paths } from '../config/paths.js';
import { buildIndex } from './compile.js';
import { isBlastgateError, RulesetError } from '../errors.js';
import { brokenRuleFile } from '../trust/broken.js';
import type { LayerProblem, RuleIndex, RuleOrigin, Ruleset } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The package's own rulesets/ dir, from the bundle (dist/) or from source (src/rulesets/). */
export const builtinRulesetDir = (): string => {
  for (const candidate of [join(here, '..', 'rulesets'), join(here, '..', '..', 'rulesets'), join(here, '..', '..', '..', 'rulesets')]) {
    if (existsSync(join(candidate, '..', 'package.json')) && existsSync(candidate)) return candidate;
  }
  return join(here, '..', 'rulesets');
};

const yamlFilesIn = (dir: string): string[] => {
  try {
    return readdirSync(dir)
      .filter((f) => (f.endsWith('.yaml') || f.endsWith('.yml')) && !f.startsWith('.'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
};

const parseYamlRuleset = async (file: string, origin: RuleOrigin, text?: string): Promise<Ruleset> => {
  const { parseRuleset, loadRulesetFile } = await import('./load.js');
  return text === undefined ? loadRulesetFile(file, origin) : parseRuleset(text, file, origin);
};

const compiledDir = (): string | null => (existsSync(join(here, 'rulesets.json')) ? here : null);

/** Built-in rulesets: the JSON compiled at build time, or the YAML when running from source. */
const loadBuiltin = async (): Promise<Ruleset[]> => {
  const dir = compiledDir();
  if (dir) return (JSON.parse(readFileSync(join(dir, 'rulesets.json'), 'utf8')) as RuleIndex).rulesets;
  return Promise.all(yamlFilesIn(builtinRulesetDir()).map((f) => parseYamlRuleset(f, 'builtin')));
};

/**
 * The built-in index with each ruleset's grammar and rules read from dist/rulesets/<tool>.json on first
 * use: a command only pays for its own tool's rules (the whole set is ~0.2 MB of JSON).
 */
const lazyBuiltinIndex = (dir: string): RuleIndex => {
  const slim = JSON.parse(readFileSync(join(dir, 'rulesets-index.json'), 'utf8')) as RuleIndex;
  const rulesets = slim.rulesets.map((meta) => {
    let full: Ruleset | undefined;
    const load = () => (full ??= JSON.parse(readFileSync(join(dir, 'rulesets', `${meta.tool}.json`), 'utf8')) as Ruleset);
    return Object.defineProperties({ ...meta } as Ruleset, {
      grammar: { get: () => load().grammar, enumerable: true },
      rules: { get: () => load().rules, enumerable: true },
      mcp: { get: () => load().mcp, enumerable: true },
    });
  });
  return { ...slim, rulesets };
};

/**
 * User and project YAML is parsed once per content and cached as JSON by content hash, so editing a
 * file takes effect at once and the hot path never parses YAML twice. The cache is in a dir the caller
 * can write, so it is never believed about trust: origin and source come from where the file is, and
 * a rule file can only add or raise whatever its cache says (buildIndex checks every id again).
 */
const loadCached = async (file: string, origin: RuleOrigin, cacheDir: string | null): Promise<Ruleset> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RulesetError(`${file}: cannot read ruleset (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!cacheDir) return parseYamlRuleset(file, origin, text);
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256').update(`${file}\0${text}`).digest('hex').slice(0, 32);
  const cached = join(cacheDir, `rules-${key}.json`);
  try {
    const set = JSON.parse(readFileSync(cached, 'utf8')) as Ruleset;
    if (!Array.isArray(set.rules) || !Array.isArray(set.binaries) || typeof set.tool !== 'string') throw new Error('not a ruleset');
    return { ...set, origin, source: file };
  } catch {
    const set = await parseYamlRuleset(file, origin, text);
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(set));
      renameSync(tmp, cached);
    } catch {
      // A cache we cannot write only costs speed.
    }
    return set;
  }
};

/** The nearest `.blastgate/rules` dir at or above cwd. */
export const projectRulesDir = (cwd: string): string | null => findUp(cwd, join('.blastgate', 'rules'));

export interface LoadRulesOptions {
  paths: Paths;
  cwd: string;
  /** Skip project rules (e.g. `rules test FILE`). */
  project?: boolean;
  /** Skip the user and env layers too: only what a user file may not contradict (built-in, system). */
  trustedOnly?: boolean;
}

/** Line of `id: <id>` in a file (errors only; the file is re-read). */
export const lineOfId = (set: Ruleset, id: string): number | null => {
  try {
    const lines = readFileSync(set.source, 'utf8').split('\n');
    const n = lines.findIndex((l) => new RegExp(`^\\s*-?\\s*id:\\s*["']?${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*(#.*)?$`).test(l));
    return n < 0 ? null : n + 1;
  } catch {
    return null;
  }
};

/** Every applicable ruleset, merged into the hot-path index. */
export const loadRuleIndex = async ({ paths, cwd, project = true, trustedOnly = false }: LoadRulesOptions): Promise<RuleIndex> => {
  const cacheDir = join(paths.stateDir, 'cache');
  const sources: Array<{ file: string; origin: RuleOrigin }> = [];
  for (const { dir, trusted } of paths.systemDirs) {
    if (trustedOnly && !trusted) continue;
    for (const file of yamlFilesIn(join(dir, 'rules'))) sources.push({ file, origin: trusted ? 'system' : 'env' });
  }
  if (!trustedOnly) {
    for (const file of yamlFilesIn(join(paths.configDir, 'rules'))) sources.push({ file, origin: 'user' });
    for (const dir of paths.envConfigDirs) for (const file of yamlFilesIn(join(dir, 'rules'))) sources.push({ file, origin: 'env' });
    const projectDir = project ? projectRulesDir(cwd) : null;
    for (const file of projectDir ? yamlFilesIn(projectDir) : []) sources.push({ file, origin: 'project' });
  }
  const compiled = compiledDir();
  if (compiled && sources.length === 0) return lazyBuiltinIndex(compiled);
  const sets: Ruleset[] = await loadBuiltin();
  const broken: LayerProblem[] = [];
  for (const { file, origin } of sources) {
    // System rules are never cached in a user-writable place, and a broken one stops everything (fail closed).
    if (origin === 'system') {
      sets.push(await parseYamlRuleset(file, 'system'));
      continue;
    }
    try {
      sets.push(await loadCached(file, origin, cacheDir));
    } catch (err) {
      if (!isBlastgateError(err)) throw err;
      broken.push(brokenRuleFile(file, (err as Error).message, sets));
    }
  }
  const index = buildIndex(sets, lineOfId);
  const problems = [...broken, ...(index.problems ?? [])];
  return problems.length ? { ...index, problems } : index;
};
