// Implicit inputs: what a tool reads on its own (psqlrc, curlrc, `curl -K`, wgetrc, service files), as its
// ruleset declares them (grammar.implicit). Config files become command-line words the rules read; SQL
// rc files become payloads; everything read is hashed into the verdict; what cannot be read or followed
// is unknown.
import { lstatSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Payload } from '../analyzers/types.js';
import { readArgs, type GrammarIndex } from '../match/read-args.js';
import type { ImplicitInput, Ruleset } from '../rulesets/types.js';
import type { Invocation, Unknown } from '../types.js';
import { curlConfigWords, type ConfigWords } from './curl-config.js';
import { namesStdin, type PayloadReader } from './reader.js';
import { mysqlOptionWords } from './mysql-options.js';
import { wgetrcWords } from './wgetrc.js';
import { isWritten } from './written.js';

export interface ImplicitResult {
  /** The args with config words spliced in (rc files first, `-K FILE` contents after the flag). */
  args: string[];
  /** Extra payloads per analyzer (a psqlrc for `sql`). */
  payloads: Map<string, Payload[]>;
  unknowns: Unknown[];
}

export interface ImplicitContext {
  env: Record<string, string | undefined>;
  cwd: string;
  reader: PayloadReader;
}

/** `-K` inside a config inside a config…: past this depth the config is unknown. */
const MAX_CONFIG_DEPTH = 4;
/** Bound on the files one glob may name (`~/.psqlrc-*`). */
const MAX_GLOB_MATCHES = 16;

const homeOf = (env: Record<string, string | undefined>): string => {
  if (env.HOME) return env.HOME;
  try {
    return userInfo().homedir;
  } catch {
    return '/';
  }
};

/** `~/x`, `$VAR/x`, `$VAR-*`: the path it names, or null when its variable is unset or empty. */
const expandTemplate = (template: string, env: Record<string, string | undefined>): string | null => {
  if (template === '~' || template.startsWith('~/')) return homeOf(env) + template.slice(1);
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(template);
  if (!m) return template;
  const value = env[m[1]!];
  return value ? value + m[2]! : null;
};

const exists = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Every existing path a template names (a `*` in the last part is matched against the directory). */
export const candidatePaths = (templates: string[], env: Record<string, string | undefined>, cwd: string): string[] => {
  const out = new Set<string>();
  for (const t of templates) {
    const expanded = expandTemplate(t, env);
    if (expanded === null) continue;
    const path = isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
    const base = basename(path);
    if (!base.includes('*')) {
      if (exists(path)) out.add(path);
      continue;
    }
    const re = new RegExp(`^${base.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    let names: string[] = [];
    try {
      names = readdirSync(dirname(path)).filter((n) => re.test(n)).sort();
    } catch {
      continue;
    }
    for (const n of names.slice(0, MAX_GLOB_MATCHES)) out.add(join(dirname(path), n));
    if (names.length > MAX_GLOB_MATCHES) out.add(join(dirname(path), names[MAX_GLOB_MATCHES]!)); // read, so the excess is at least seen
  }
  return [...out];
};

/** Every spelling of a canonical flag in this grammar. */
const spellingsOf = (canonical: string, g: GrammarIndex): string[] => [
  canonical,
  ...Object.entries(g.grammar.aliases).filter(([, c]) => c === canonical).map(([a]) => a),
];

const takesValueIn = (g: GrammarIndex) => (flag: string): boolean => {
  const canon = g.grammar.aliases[flag] ?? flag;
  return g.valueFlags.has(flag) || g.valueFlags.has(canon);
};

const wordsOf = (input: ImplicitInput, text: string, g: GrammarIndex): ConfigWords =>
  input.read === 'wgetrc'
    ? wgetrcWords(text, [...g.valueFlags, ...Object.keys(g.grammar.aliases)].filter((f) => f.startsWith('--')))
    : input.read === 'mysql-options'
      ? mysqlOptionWords(text)
      : curlConfigWords(text, takesValueIn(g));

const isConfig = (input: ImplicitInput) => input.read === 'curl-config' || input.read === 'wgetrc' || input.read === 'mysql-options';

/** `*.cnf` files of an `!includedir` (MySQL reads those, in order). */
const cnfFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.cnf')).sort().slice(0, MAX_GLOB_MATCHES).map((n) => join(dir, n));
  } catch {
    return [];
  }
};

/** Where a flag that names a config file sits in args: [index, words it takes, value]. */
const configFlagAt = (args: string[], i: number, spellings: string[]): { take: number; value: string } | null => {
  const w = args[i]!;
  for (const s of spellings) {
    if (w === s) return i + 1 < args.length ? { take: 2, value: args[i + 1]! } : null;
    if (s.startsWith('--') && w.startsWith(`${s}=`)) return { take: 1, value: w.slice(s.length + 1) };
    if (!s.startsWith('--') && s.length === 2 && w.startsWith(s) && w.length > 2) return { take: 1, value: w.slice(2) };
  }
  return null;
};

/** Read the tool's implicit inputs for one invocation; `args` is argv without argv[0]. */
export const readImplicit = (inv: Invocation, args: string[], set: Ruleset, g: GrammarIndex, ctx: ImplicitContext): ImplicitResult => {
  const result: ImplicitResult = { args, payloads: new Map(), unknowns: [] };
  const inputs = set.grammar.implicit ?? [];
  if (inputs.length === 0) return result;
  const read = readArgs(args, g, false);
  const first = args[0] === undefined ? null : readArgs([args[0]], g, false);
  const unknown = (reason: string) => result.unknowns.push({ reason, text: inv.text });

  // One config file's words, with its own `-K FILE` lines expanded in place.
  const configText = (input: ImplicitInput, text: string, shown: string, depth: number): string[] => {
    const got = wordsOf(input, text, g);
    if ('problem' in got) {
      unknown(`${set.tool} reads its options from ${shown}, which cannot be followed: ${got.problem}`);
      return [];
    }
    if (depth >= MAX_CONFIG_DEPTH) {
      if (got.includes?.length || got.includeDirs?.length) unknown(`${set.tool}: ${shown} includes files deeper than ${MAX_CONFIG_DEPTH} levels`);
      return got.words;
    }
    const included = [...(got.includes ?? []), ...(got.includeDirs ?? []).flatMap(cnfFiles)].flatMap((f) => configFile(input, f, f, depth + 1));
    return [...expandFlags(input, got.words, depth + 1), ...included];
  };
  const configFile = (input: ImplicitInput, path: string, shown: string, depth: number): string[] => {
    if (namesStdin(path)) {
      const s = inv.stdin;
      if (s.kind === 'heredoc' || s.kind === 'herestring' || (s.kind === 'buffered' && !s.truncated)) {
        ctx.reader.note('stdin', s.body);
        return configText(input, s.body, `${shown} (stdin)`, depth);
      }
      unknown(`${set.tool} reads its options from stdin (${shown}), which is not known before it runs`);
      return [];
    }
    const got = ctx.reader.file(path, ctx.cwd, shown);
    if (got.text === null) {
      unknown(`${set.tool} reads its options from ${shown}: ${got.problem ?? 'unreadable'}`);
      return [];
    }
    return configText(input, got.text, shown, depth);
  };
  // `curl -K FILE`: the file's words follow the flag, where curl reads them.
  function expandFlags(input: ImplicitInput, words: string[], depth: number): string[] {
    if (!input.flags?.length) return words;
    const spellings = input.flags.flatMap((f) => spellingsOf(f, g));
    const out: string[] = [];
    for (let i = 0; i < words.length; i++) {
      if (words[i] === '--') {
        out.push(...words.slice(i));
        break;
      }
      const at = configFlagAt(words, i, spellings);
      if (!at) {
        out.push(words[i]!);
        continue;
      }
      out.push(...words.slice(i, i + at.take), ...configFile(input, at.value, `${words[i]} ${at.value}`, depth));
      i += at.take - 1;
    }
    return out;
  }

  let front: string[] = [];
  let spliced = args;
  for (const input of inputs) {
    for (const name of input.env ?? []) if (ctx.env[name]) ctx.reader.note(`$${name}`, ctx.env[name]!);
    const off = (input.disabledBy ?? []).some((f) => read.flags.has(f)) || (input.disabledByFirst ?? []).some((f) => first?.flags.has(f));
    const paths = off ? [] : candidatePaths(input.files ?? [], ctx.env, ctx.cwd);
    if (!off) {
      for (const t of input.files ?? []) {
        const p = expandTemplate(t, ctx.env);
        const abs = p === null ? null : isAbsolute(p) ? p : resolve(ctx.cwd, p);
        if (abs && !paths.includes(abs) && isWritten(abs, ctx.reader.written)) {
          unknown(`${set.tool} reads ${abs} on its own, and this command line writes it first: its content is only known when it runs`);
        }
      }
    }
    for (const path of paths) {
      if (isConfig(input)) front = [...front, ...configFile(input, path, path, 0)];
      else if (input.read === 'payload') {
        const got = ctx.reader.file(path, ctx.cwd);
        const list = result.payloads.get(input.analyzer!) ?? [];
        list.push(got.text === null ? { text: null, origin: path, problem: got.problem ?? `cannot read ${path}` } : { text: got.text, origin: path });
        result.payloads.set(input.analyzer!, list);
      } else ctx.reader.file(path, ctx.cwd);
    }
    if (isConfig(input)) spliced = expandFlags(input, spliced, 0);
  }
  result.args = [...front, ...spliced];
  return result;
};
