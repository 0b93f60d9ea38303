// Long options as GNU getopt_long and git's parse-options read them: an exact name is that option,
// otherwise every option the word is a prefix of (one: the tool takes it; several: the tool would
// reject it as ambiguous, and we read it as all of them, so nothing slips through).
import type { Grammar } from '../rulesets/types.js';

export interface LongOptionTable {
  names: string[];
  /** Options written `--name=` in the ruleset: they take a value (`--opt v` or `--opt=v`). */
  takesValue: Set<string>;
}

export interface LongOptionIndex {
  /** Options before any subcommand (or of a tool without subcommands); null: no abbreviations there. */
  base: LongOptionTable | null;
  /** Command path joined by spaces (`stash drop`) → its options. */
  byCommand: Map<string, LongOptionTable>;
  maxDepth: number;
}

const tableOf = (list: string[]): LongOptionTable => ({
  names: list.map((o) => o.replace(/=$/, '')),
  takesValue: new Set(list.filter((o) => o.endsWith('=')).map((o) => o.slice(0, -1))),
});

/** Null when the grammar's parser takes only exact long options. */
export const indexLongOptions = (grammar: Grammar): LongOptionIndex | null => {
  if (grammar.abbreviations !== 'getopt' || grammar.style !== 'posix') return null;
  const byCommand = new Map(Object.entries(grammar.commandLongOptions ?? {}).map(([path, list]) => [path, tableOf(list)]));
  return {
    base: grammar.longOptions ? tableOf(grammar.longOptions) : null,
    byCommand,
    maxDepth: Math.max(0, ...[...byCommand.keys()].map((k) => k.split(' ').length)),
  };
};

/** The table that applies after these positionals: the longest command path they start with. */
export const tableFor = (index: LongOptionIndex, positionals: readonly string[]): LongOptionTable | null => {
  if (index.byCommand.size === 0 || positionals.length === 0) return index.base;
  for (let len = Math.min(index.maxDepth, positionals.length); len >= 1; len--) {
    const t = index.byCommand.get(positionals.slice(0, len).join(' '));
    if (t) return t;
  }
  // A subcommand without a list: its parser is unknown to us, so only exact spellings are read.
  return null;
};

/** Every option `name` (a `--word`, without `=value`) can stand for under this table. */
export const expandLong = (name: string, table: LongOptionTable | null): string[] => {
  if (!table || name.length < 3 || table.names.includes(name)) return [name];
  const candidates = table.names.filter((o) => o.startsWith(name));
  return candidates.length > 0 ? candidates : [name];
};

/** Every word that the parser may read as `--option` (for the shim's prefilter): the option and each prefix of it. */
export const abbreviationsOf = (option: string): string[] => {
  const out: string[] = [];
  for (let len = 3; len <= option.length; len++) out.push(option.slice(0, len));
  return out;
};
