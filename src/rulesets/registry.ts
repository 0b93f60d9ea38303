// Load every ruleset that applies here: built-in (compiled JSON), system, user and project files.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUp, type Paths } from '../config/paths.js';
import { buildIndex } from './compile.js';
import type { RuleIndex, RuleOrigin, Ruleset } from './types.js';

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
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
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
    });
  });
  return { ...slim, rulesets };
};

/**
 * User and project YAML is parsed once per content and cached as JSON by content hash, so editing a
 * file takes effect at once and the hot path never parses YAML twice. The cache only ever holds what
 * the same file (same bytes) compiles to.
 */
const loadCached = async (file: string, origin: RuleOrigin, cacheDir: string | null): Promise<Ruleset> => {
  const text = readFileSync(file, 'utf8');
  if (!cacheDir) return parseYamlRuleset(file, origin, text);
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256').update(`${origin}\0${file}\0${text}`).digest('hex').slice(0, 32);
  const cached = join(cacheDir, `rules-${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8')) as Ruleset;
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
}

/** Every applicable ruleset, merged into the hot-path index. */
export const loadRuleIndex = async ({ paths, cwd, project = true }: LoadRulesOptions): Promise<RuleIndex> => {
  const cacheDir = join(paths.stateDir, 'cache');
  // The default system dir is always read: pointing BLASTGATE_SYSTEM_DIR elsewhere cannot drop its rules.
  const systemFiles = [...new Set([paths.defaultSystemDir, paths.systemDir])].flatMap((d) => yamlFilesIn(join(d, 'rules')));
  const userFiles = yamlFilesIn(join(paths.configDir, 'rules'));
  const projectDir = project ? projectRulesDir(cwd) : null;
  const projectFiles = projectDir ? yamlFilesIn(projectDir) : [];
  const compiled = compiledDir();
  if (compiled && systemFiles.length + userFiles.length + projectFiles.length === 0) return lazyBuiltinIndex(compiled);
  const sets: Ruleset[] = await loadBuiltin();
  // System rules are never cached in a user-writable place: a forged cache entry must not drop them.
  for (const f of systemFiles) sets.push(await parseYamlRuleset(f, 'system'));
  for (const f of userFiles) sets.push(await loadCached(f, 'user', cacheDir));
  for (const f of projectFiles) sets.push(await loadCached(f, 'project', cacheDir));
  return buildIndex(sets);
};
