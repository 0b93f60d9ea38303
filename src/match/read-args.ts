// Read a tool's arguments the way the tool itself would: flags in every spelling, values, positionals.
import type { Grammar } from '../rulesets/types.js';
import { expandLong, indexLongOptions, tableFor, type LongOptionIndex, type LongOptionTable } from './long-options.js';

export interface ReadArgs {
  /** Positionals in order, with the index of each in the original args. */
  positionals: string[];
  positionalIndex: number[];
  /** Canonical flag name → every value given ('true' for a bare boolean flag). */
  flags: Map<string, string[]>;
}

const FALSY = new Set(['false', '0', 'no', 'off']);
export const isFalsy = (v: string) => FALSY.has(v.toLowerCase());

/** Index of the grammar for repeated use: spelling sets as Sets. */
export interface GrammarIndex {
  grammar: Grammar;
  valueFlags: Set<string>;
  switches: Set<string>;
  /** Set when the tool's parser takes unique prefixes of long options (`abbreviations: getopt`). */
  long: LongOptionIndex | null;
}

export const indexGrammar = (grammar: Grammar): GrammarIndex => ({
  grammar,
  valueFlags: new Set(grammar.valueFlags.map((f) => normalizeSpelling(f, grammar))),
  switches: new Set((grammar.switches ?? []).map((f) => normalizeSpelling(f, grammar))),
  long: indexLongOptions(grammar),
});

// Go's flag package treats `--x` and `-x` alike; normalize to one dash so rules name one spelling.
const normalizeSpelling = (flag: string, grammar: Grammar): string =>
  grammar.style === 'go' && flag.startsWith('--') ? flag.slice(1) : flag;

const canonical = (flag: string, g: GrammarIndex): string => {
  const spelled = normalizeSpelling(flag, g.grammar);
  return g.grammar.aliases[spelled] ?? spelled;
};

const takesValue = (flag: string, g: GrammarIndex): boolean => {
  const spelled = normalizeSpelling(flag, g.grammar);
  if (g.valueFlags.has(spelled)) return true;
  const canon = g.grammar.aliases[spelled];
  return canon !== undefined && g.valueFlags.has(canon);
};

const isKnown = (flag: string, g: GrammarIndex): boolean => {
  const spelled = normalizeSpelling(flag, g.grammar);
  const canon = g.grammar.aliases[spelled] ?? spelled;
  return g.valueFlags.has(spelled) || g.switches.has(spelled) || g.switches.has(canon) || spelled in g.grammar.aliases;
};

/**
 * Read args (argv without argv[0]). `unknownTakesValue` decides whether a flag the grammar does not
 * know swallows the next word; callers read both ways and match either (fail closed).
 */
export const readArgs = (args: readonly string[], g: GrammarIndex, unknownTakesValue: boolean): ReadArgs => {
  const out: ReadArgs = { positionals: [], positionalIndex: [], flags: new Map() };
  const add = (flag: string, value: string) => {
    const name = canonical(flag, g);
    const list = out.flags.get(name);
    if (list) list.push(value);
    else out.flags.set(name, [value]);
  };
  let table: LongOptionTable | null = null;
  const valued = (flag: string) => takesValue(flag, g) || !!table?.takesValue.has(flag);
  const known = (flag: string) => isKnown(flag, g) || !!table?.names.includes(flag);
  const swallowsNext = (flag: string, i: number): boolean => {
    if (valued(flag)) return i + 1 < args.length;
    const next = args[i + 1];
    return unknownTakesValue && !known(flag) && next !== undefined && !next.startsWith('-');
  };
  // An ambiguous prefix (the tool itself would refuse it) stands for several options: when one of
  // them takes a value, the next word is read as that value, so a payload in it is still judged.
  const swallowsNextAll = (flags: string[], i: number): boolean => {
    if (flags.length === 1) return swallowsNext(flags[0]!, i);
    if (flags.some(valued)) return i + 1 < args.length;
    return flags.some((f) => swallowsNext(f, i));
  };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      for (let j = i + 1; j < args.length; j++) {
        out.positionals.push(args[j]!);
        out.positionalIndex.push(j);
      }
      break;
    }
    if (word.length < 2 || !word.startsWith('-')) {
      out.positionals.push(word);
      out.positionalIndex.push(i);
      continue;
    }
    table = g.long ? tableFor(g.long, out.positionals) : null;
    const eq = word.indexOf('=');
    const isLong = word.startsWith('--') || g.grammar.style === 'go';
    if (isLong) {
      const names = word.startsWith('--') ? expandLong(eq > 0 ? word.slice(0, eq) : word, table) : [eq > 0 ? word.slice(0, eq) : word];
      if (eq > 0) for (const n of names) add(n, word.slice(eq + 1));
      else if (swallowsNextAll(names, i)) {
        const value = args[++i]!;
        for (const n of names) add(n, value);
      } else for (const n of names) add(n, 'true');
      continue;
    }
    // POSIX short flags: `-rf` is `-r -f`; a value flag takes the rest of the word or the next word.
    for (let c = 1; c < word.length; c++) {
      const flag = `-${word[c]}`;
      if (takesValue(flag, g)) {
        const rest = word.slice(c + 1);
        if (rest) add(flag, rest.startsWith('=') ? rest.slice(1) : rest);
        else if (i + 1 < args.length) add(flag, args[++i]!);
        else add(flag, '');
        break;
      }
      if (word.length === 2 && swallowsNext(flag, i)) {
        add(flag, args[++i]!);
        break;
      }
      add(flag, 'true');
    }
  }
  return out;
};
