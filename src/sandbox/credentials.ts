// Credentials inside the jail are placeholders (`bgph_<random>`); only the broker knows the real values
// and swaps them back after the verdict, and only for a tool whose ruleset names that credential.
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RuleIndex } from '../rulesets/types.js';

export interface CredentialNames {
  env: string[];
  files: string[];
}

/** Credentials per program, from each ruleset's `credentials` (tool name and every binary it guards). */
export const credentialsByTool = (index: RuleIndex): Record<string, CredentialNames> => {
  const out: Record<string, CredentialNames> = {};
  for (const set of index.rulesets) {
    const own = set.credentials;
    if (!own || ((own.env?.length ?? 0) === 0 && (own.files?.length ?? 0) === 0)) continue;
    const names = { env: own.env ?? [], files: own.files ?? [] };
    for (const bin of [set.tool, ...set.binaries]) out[bin] = names;
  }
  return out;
};

/** `NAME`, or a glob with `*` anywhere (`AWS_*`, `TF_VAR_*token*`), case-sensitive as env names are. */
export const nameMatches = (pattern: string, name: string): boolean => {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(name);
};

export const expandHome = (path: string, home = process.env.HOME || homedir()): string =>
  path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;

export const newPlaceholder = (): string => `bgph_${randomBytes(12).toString('hex')}`;

/** One credential variable as the jail sees it and as the broker knows it. */
export interface EnvSecret {
  name: string;
  placeholder: string;
  real: string;
}

/** Every variable of `env` that any tool (or the profile) names as a credential, with a fresh placeholder. */
export const envSecrets = (env: Record<string, string | undefined>, patterns: string[]): EnvSecret[] =>
  Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '' && patterns.some((p) => nameMatches(p, e[0])))
    .map(([name, real]) => ({ name, real, placeholder: newPlaceholder() }));

/**
 * Why: after the verdict, put the real values back, in argv and env, for the credentials this tool's
 * ruleset names; a placeholder of another tool's credential stays a placeholder.
 */
export const swapIn = (words: string[], secrets: EnvSecret[], toolPatterns: string[]): string[] => {
  const mine = secrets.filter((s) => toolPatterns.some((p) => nameMatches(p, s.name)));
  if (mine.length === 0) return words;
  return words.map((w) => (w.includes('bgph_') ? mine.reduce((acc, s) => acc.split(s.placeholder).join(s.real), w) : w));
};
