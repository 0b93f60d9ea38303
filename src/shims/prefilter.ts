// The fast path's judgement: from a tool's compiled rules, derive conditions an invocation MUST meet
// for any rule to fire. A shim checks them in plain sh; when none can hold, the real tool is exec'd
// without starting node. Sound by construction: every condition is necessary for its rule, so a
// command that fails all of them cannot match. What cannot be judged this way goes to the full check.
import type { Grammar, MatchSpec, RuleIndex, Ruleset } from '../rulesets/types.js';
import { GIT_COMMANDS, GLOBAL_VALUED } from '../match/git-config.js';
import { MAY_DESTROY } from '../analyzers/sql.js';
import { unwrapArgv } from '../stages/unwrap.js';
import { RUNS_COMMANDS_WORDS } from '../unwrap/remote.js';

/** One thing the shim can test cheaply. */
export type Atom =
  | { kind: 'word'; word: string } // some argv word equals this (a command-path word)
  // some word spells this flag (any form); `abbreviable`: or any prefix of it (getopt_long, parse-options)
  | { kind: 'flag'; style: Grammar['style']; spelling: string; abbreviable?: true }
  | { kind: 'positional' } // some word could be a positional argument
  | { kind: 'env'; name: string } // this variable is set
  | { kind: 'stdin' } // stdin is not a terminal (a payload may arrive on it)
  | { kind: 'path'; template: string } // an implicit input (grammar.implicit files) may exist
  | { kind: 'tty' } // stdin is a terminal (grammar.interactive: a session the gate must see)
  // The flag carries payload text inline (`psql -c SQL`) AND some argv word holds one of the analyzer's
  // keywords (case-insensitive substrings): without one, the analyzer finds nothing in any of them.
  | { kind: 'inline'; style: Grammar['style']; spelling: string; abbreviable?: true; keywords: string[] };

/**
 * The literal substrings of a keyword prefilter written as `a|b|\\bc\\b|[\\\\$]|\\{\\}` (word
 * boundaries dropped, a class split into its characters): every text the regex matches contains one
 * of them. Null when the regex uses anything else — then no inline shortcut, never a guess.
 */
export const literalsOf = (re: RegExp): string[] | null => {
  const out: string[] = [];
  for (const alt of re.source.split('|')) {
    const plain = alt.replace(/\\b/g, '');
    const cls = /^\[((?:\\.|[^\]\\])+)\]$/.exec(plain);
    if (cls) {
      for (const m of cls[1]!.matchAll(/\\(.)|([^\\])/g)) out.push((m[1] ?? m[2])!);
      continue;
    }
    if (!/^(?:\\[^A-Za-z0-9]|[A-Za-z0-9_ ])+$/.test(plain)) return null;
    out.push(plain.replace(/\\(.)/g, '$1'));
  }
  return out.length ? out.map((w) => w.toLowerCase()) : null;
};

/**
 * Per analyzer: literal substrings at least one of which every text its findings need contains,
 * compared case-insensitively — derived from the analyzer's own sound prefilter, so they follow it.
 * Analyzers not listed send every inline payload to the full check.
 */
export const INLINE_KEYWORDS: Record<string, string[]> = Object.fromEntries(
  Object.entries({ sql: MAY_DESTROY }).flatMap(([name, re]) => {
    // Matched case-insensitively by the shim: a superset whether or not the regex itself is.
    const words = literalsOf(re);
    return words ? [[name, words]] : [];
  }),
);

/** At least one atom holds (OR). */
export type Clause = Atom[];

export interface RuleCondition {
  rule: string;
  /** Every clause holds (AND). No clauses: the rule can fire on anything → always the full check. */
  clauses: Clause[];
}

/** TF_CLI_ARGS-style variables splice words into argv: any of them set means the full check. */
export interface EnvArgVar {
  prefix: string;
  /** Set when the name embeds the first positional (`TF_CLI_ARGS_{command}`). */
  perCommand: boolean;
  suffix: string;
}

export interface Prefilter {
  tool: string;
  /** Why every invocation must take the full check (null: the conditions below decide). */
  always: string | null;
  rules: RuleCondition[];
  envArgs: EnvArgVar[];
  /** How to find the first positional (for per-command env vars): the grammar's value-taking flags. */
  style: Grammar['style'];
  valueSpellings: string[];
  /**
   * The tool runs aliases from its config files (git): a first positional that is none of its own
   * commands may be an alias for anything, so it takes the full check. `valueSpellings`: options before
   * the subcommand that take the next word.
   */
  aliases?: { commands: string[]; valueSpellings: string[] };
}

export const SH_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const POSITIONAL: Atom = { kind: 'positional' };
const STDIN: Atom = { kind: 'stdin' };

/** Every spelling of a canonical flag: itself and each alias that maps to it. */
const spellingsOf = (canonical: string, grammar: Grammar): string[] => {
  const norm = (f: string) => (grammar.style === 'go' && f.startsWith('--') ? f.slice(1) : f);
  const out = new Set([norm(canonical)]);
  for (const [alias, target] of Object.entries(grammar.aliases)) if (norm(target) === norm(canonical)) out.add(norm(alias));
  return [...out];
};

// Where the tool's parser takes abbreviations, the engine reads every prefix of a long spelling as it.
const flagAtoms = (canonical: string, grammar: Grammar): Atom[] =>
  spellingsOf(canonical, grammar).map((spelling) =>
    grammar.abbreviations === 'getopt' && grammar.style === 'posix' && spelling.startsWith('--')
      ? { kind: 'flag', style: grammar.style, spelling, abbreviable: true }
      : { kind: 'flag', style: grammar.style, spelling });

// Prefer clauses of few, specific atoms: they clear the most safe commands.
const cost = (c: Clause) => c.length * 10 + c.filter((a) => a.kind === 'positional' || a.kind === 'stdin').length * 100;
const best = (clauses: Clause[]): Clause => [...clauses].sort((a, b) => cost(a) - cost(b))[0]!;

const key = (a: Atom) => JSON.stringify(a);
const dedupe = (atoms: Atom[]): Atom[] => [...new Map(atoms.map((a) => [key(a), a])).values()];

/** Necessary conditions of one match spec, as a conjunction of clauses. `unless` only vetoes: ignored. */
export const clausesOf = (spec: MatchSpec, set: Ruleset): Clause[] => {
  const g = set.grammar;
  const out: Clause[] = [];
  for (const want of spec.command ?? []) {
    if (want === '*') out.push([POSITIONAL]);
    else out.push((Array.isArray(want) ? want : [want]).map((word) => ({ kind: 'word', word })));
  }
  for (const [flag, want] of Object.entries(spec.flags ?? {})) if (want !== false) out.push(flagAtoms(flag, g));
  if (spec.args !== undefined || spec.allArgs !== undefined || spec.argAt !== undefined || spec.protectedPath) out.push([POSITIONAL]);
  for (const [name, want] of Object.entries(spec.env ?? {})) {
    if (want !== false && SH_NAME.test(name)) out.push([{ kind: 'env', name }]);
  }
  if (spec.payload) {
    const source = g.payloads[spec.payload.analyzer];
    if (source) {
      const atoms: Atom[] = [];
      const keywords = INLINE_KEYWORDS[spec.payload.analyzer];
      for (const f of source.flags ?? []) {
        atoms.push(...(keywords ? flagAtoms(f, g).map((a) => ({ ...(a as Extract<Atom, { kind: 'flag' }>), kind: 'inline' as const, keywords })) : flagAtoms(f, g)));
      }
      for (const f of [...(source.fileFlags ?? []), ...(source.atFileFlags ?? [])]) atoms.push(...flagAtoms(f, g));
      if (source.positionals) atoms.push(POSITIONAL);
      if (source.stdin) atoms.push(STDIN);
      // `-f -` reads stdin too, but needs the -f flag, which is already an atom.
      if (atoms.length > 0) out.push(dedupe(atoms));
    }
  }
  if (spec.any) {
    const atoms: Atom[] = [];
    let informative = true;
    for (const branch of spec.any) {
      const cs = clausesOf(branch, set);
      if (cs.length === 0) {
        informative = false;
        break;
      }
      atoms.push(...best(cs));
    }
    if (informative) out.push(dedupe(atoms));
  }
  // A tool that rewrites its argv from configuration (`git -c alias.x=…`, GIT_CONFIG_*) can turn any
  // command into any other: configuration given for this run makes every condition possible.
  if (g.config === 'git') return out.map((clause) => dedupe([...clause, ...gitConfigAtoms]));
  return out;
};

const gitConfigAtoms: Atom[] = [
  // A remote configured with `mirror = true` or forced push refspecs turns a plain `git push` into one.
  { kind: 'word', word: 'push' },
  { kind: 'flag', style: 'posix', spelling: '-c' },
  { kind: 'flag', style: 'posix', spelling: '--config-env' },
  { kind: 'env', name: 'GIT_CONFIG_PARAMETERS' },
  { kind: 'env', name: 'GIT_CONFIG_COUNT' },
];

// A tool that unwrap peels (a shell, sudo, env …) runs other commands: nothing about it is cheap to judge.
const isWrapper = (tool: string, packages: Record<string, string>): boolean =>
  [[tool], [tool, 'x'], [tool, '-c', 'x'], [tool, '--', 'x']].some((argv) => {
    const r = unwrapArgv(argv, {}, { packages });
    if (!r || r.unknowns.length > 0 || r.invocations.length !== 1) return true;
    const inv = r.invocations[0]!;
    return inv.program !== tool || inv.wrappers.length > 0 || inv.argsUnknown;
  });

const envArgVarsOf = (set: Ruleset): EnvArgVar[] | string =>
  set.grammar.envArgs.map((e) => {
    const at = e.var.indexOf('{command}');
    if (at < 0) return SH_NAME.test(e.var) ? { prefix: e.var, perCommand: false, suffix: '' } : `env var ${e.var} cannot be read from sh`;
    const prefix = e.var.slice(0, at);
    const suffix = e.var.slice(at + '{command}'.length);
    if (!/^[A-Za-z0-9_]*$/.test(prefix + suffix)) return `env var ${e.var} cannot be read from sh`;
    return { prefix, perCommand: true, suffix };
  }).reduce<EnvArgVar[] | string>((acc, v) => (typeof acc === 'string' ? acc : typeof v === 'string' ? v : [...acc, v]), []);

/** Value-taking flag spellings (canonical and aliases), for finding the first positional. */
const valueSpellingsOf = (set: Ruleset): string[] => {
  const out = new Set<string>();
  for (const f of set.grammar.valueFlags) for (const s of spellingsOf(f, set.grammar)) out.add(s);
  return [...out];
};

// sh tests case patterns in order: the commands run most often come first on the fast path.
const COMMON_FIRST = ['status', 'diff', 'log', 'show', 'rev-parse', 'add', 'commit', 'branch', 'checkout', 'switch', 'fetch', 'pull', 'push', 'config', 'remote', 'ls-files', 'stash', 'tag', 'merge', 'rebase', 'restore', 'reset'];

/** Derive the prefilter for one program from every ruleset that guards it. */
export const prefilterFor = (index: RuleIndex, tool: string): Prefilter => {
  const sets = (index.byBinary[tool] ?? []).map((i) => index.rulesets[i]!);
  const base = { tool, rules: [] as RuleCondition[], envArgs: [] as EnvArgVar[], style: sets[0]?.grammar.style ?? 'posix', valueSpellings: [] as string[] };
  if (sets.length === 0) return { ...base, always: 'no ruleset guards this program' };
  if (isWrapper(tool, index.packages)) return { ...base, always: `${tool} runs other commands (a wrapper)` };
  if (new Set(sets.map((s) => s.grammar.style)).size > 1) return { ...base, always: 'rulesets read its flags in different styles' };
  const envArgs: EnvArgVar[] = [];
  const valueSpellings = new Set<string>();
  const rules: RuleCondition[] = [];
  for (const set of sets) {
    const vars = envArgVarsOf(set);
    if (typeof vars === 'string') return { ...base, always: vars };
    envArgs.push(...vars);
    if (vars.some((v) => v.perCommand)) for (const s of valueSpellingsOf(set)) valueSpellings.add(s);
    for (const rule of set.rules) {
      const clauses = clausesOf(rule.match, set);
      if (clauses.length === 0) return { ...base, always: `rule ${rule.id} has no condition the shim can test` };
      rules.push({ rule: rule.id, clauses });
    }
    // An rc/config file the tool reads on its own can carry what any rule looks for: its existence alone
    // (or a variable naming one) sends the command to the full check, which reads it. Files under /etc
    // are left to the full check's other triggers: only root writes there, and root can rewrite a shim.
    const implicit = (set.grammar.implicit ?? []).filter((i) => i.read !== 'hash').flatMap((i) => i.files ?? []).filter((f) => !f.startsWith('/etc/'));
    if (implicit.length) rules.push({ rule: `${set.tool}:implicit-inputs`, clauses: [implicit.map((template): Atom => ({ kind: 'path', template }))] });
    for (const spec of set.grammar.interactive ?? []) {
      const words = (spec.command ?? []).map((word): Clause => [{ kind: 'word', word }]);
      rules.push({ rule: `${set.tool}:interactive`, clauses: [...words, [{ kind: 'tty' }]] });
    }
  }
  // `kubectl exec … -- cmd`, `railway run cmd`: what they run is judged by the full check.
  for (const word of RUNS_COMMANDS_WORDS[tool] ?? []) rules.push({ rule: `unwrap:${tool}-${word}`, clauses: [[{ kind: 'word', word }]] });
  const aliases = sets.some((s) => s.grammar.config === 'git')
    ? { commands: [...new Set([...COMMON_FIRST.filter((c) => GIT_COMMANDS.has(c)), ...[...GIT_COMMANDS].sort()])], valueSpellings: [...GLOBAL_VALUED].filter((f) => f !== '--exec-path').sort() }
    : undefined;
  return { ...base, always: null, rules, envArgs, valueSpellings: [...valueSpellings], ...(aliases ? { aliases } : {}) };
};
