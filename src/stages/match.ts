// Stage 3 (+4): check one invocation against its tool's rules; payload analyzers run only when a rule asks.
import { parse as shellParse } from 'shell-quote';
import { loadAnalyzer } from '../analyzers/index.js';
import type { Payload } from '../analyzers/types.js';
import { ANY_WORD, evaluate, type Subject } from '../match/conditions.js';
import { collectPayloads } from '../match/payloads.js';
import { indexGrammar, isFalsy, readArgs, type GrammarIndex } from '../match/read-args.js';
import { PayloadReader } from '../payload/reader.js';
import type { RuleIndex, Ruleset } from '../rulesets/types.js';
import { SEVERITIES, type Finding, type Invocation, type Match, type Severity, type TraceStep, type Unknown } from '../types.js';

const raiseSeverity = (s: Severity): Severity => SEVERITIES[Math.min(SEVERITIES.indexOf(s) + 1, SEVERITIES.length - 1)]!;
import { parseLine } from './parse.js';
import { withLineContext } from './pipes.js';
import { unwrap } from './unwrap.js';

/** How deep command lines found inside a tool's configuration (a git `!` alias) are followed. */
export const MAX_CONFIG_DEPTH = 4;

export interface MatchContext {
  index: RuleIndex;
  /** The caller's environment (what the command inherits unless `env -i`). */
  env: Record<string, string | undefined>;
  cwd: string;
  /** Nesting of command lines found in a tool's configuration (callers leave it unset). */
  depth?: number;
  /** Reads and hashes every payload file of the verdict (one per verdict). */
  reader?: PayloadReader;
}

export interface MatchResult {
  tool: string | null;
  matches: Match[];
  /**
   * What the tool would run that cannot be known (an alias in an unreadable git config), and implicit
   * inputs (rc/config files) that could not be read or followed.
   */
  unknowns: Unknown[];
  /** The tool would read commands from a terminal on its stdin (grammar.interactive). */
  interactive: boolean;
  trace: TraceStep[];
}

interface RulesetResult {
  matches: Match[];
  /** Command lines the tool's configuration makes it run, judged like any line. */
  nested: string[];
  unknown: string | null;
  /** Implicit inputs that could not be read or followed. */
  unknowns: Unknown[];
  interactive: boolean;
}

// A terminal on stdin, or (check, hooks) a stdin nobody can see, of an invocation the grammar calls interactive.
const isInteractive = (set: Ruleset, inv: Invocation, read: ReturnType<typeof readArgs>): boolean =>
  (inv.stdin.kind === 'terminal' || inv.stdin.kind === 'inherit') &&
  (set.grammar.interactive ?? []).some(
    (spec) =>
      (spec.command ?? []).every((w, i) => read.positionals[i] === w) &&
      !(spec.maxArgs !== undefined && read.positionals.length > spec.maxArgs) &&
      !(spec.unless ?? []).some((f) => read.flags.has(f)),
  );

const grammarCache = new WeakMap<Ruleset, GrammarIndex>();
const grammarOf = (set: Ruleset): GrammarIndex => {
  let g = grammarCache.get(set);
  if (!g) grammarCache.set(set, (g = indexGrammar(set.grammar)));
  return g;
};

/** The environment the command will actually see. */
export const effectiveEnv = (inv: Invocation, callerEnv: Record<string, string | undefined>) => {
  const env: Record<string, string | undefined> = inv.clearedEnv ? {} : { ...callerEnv };
  for (const name of inv.unsetEnv) delete env[name];
  return Object.assign(env, inv.env);
};

const envWords = (value: string): string[] =>
  shellParse(value, (name: string) => `$${name}`).flatMap((t) =>
    typeof t === 'string' ? [t] : 'pattern' in t ? [t.pattern] : [],
  );

// Tools like terraform read extra arguments from env vars (TF_CLI_ARGS_apply=-destroy): splice them in.
// `{command}` is the command path joined by `_`, tried longest first (TF_CLI_ARGS_workspace_delete).
const withEnvArgs = (args: string[], set: Ruleset, env: Record<string, string | undefined>): string[] => {
  if (set.grammar.envArgs.length === 0) return args;
  const first = readArgs(args, grammarOf(set), false);
  let out = args;
  for (const spec of set.grammar.envArgs) {
    let at = first.positionalIndex[0];
    let value: string | undefined;
    if (spec.var.includes('{command}')) {
      for (let len = Math.min(3, first.positionals.length); len >= 1 && value === undefined; len--) {
        const v = env[spec.var.replace('{command}', first.positionals.slice(0, len).join('_'))];
        if (v) {
          value = v;
          at = first.positionalIndex[len - 1];
        }
      }
    } else value = env[spec.var];
    if (!value) continue;
    const words = envWords(value);
    if (spec.at === 'start' || at === undefined) out = [...words, ...out];
    else out = [...out.slice(0, at + 1), ...words, ...out.slice(at + 1)];
  }
  return out;
};


// Several findings may name tables etc.: lists are concatenated (deduplicated), not overwritten.
const mergeDetails = (into: Record<string, unknown>, from: Record<string, unknown>) => {
  for (const [k, v] of Object.entries(from)) {
    const had = into[k];
    into[k] = Array.isArray(had) && Array.isArray(v) ? [...new Set([...had, ...v])] : v;
  }
};

const fillMessage = (message: string, findings: Finding[]): string => {
  const detail = [...new Set(findings.map((f) => f.detail))].join('; ');
  return message.includes('{detail}') ? message.replace('{detail}', detail || 'see details') : message;
};

const matchRuleset = async (set: Ruleset, inv: Invocation, n: number, ctx: MatchContext, trace: TraceStep[]): Promise<RulesetResult> => {
  const env = effectiveEnv(inv, ctx.env);
  let given = inv.argsUnknown ? [...inv.argv.slice(1), ANY_WORD] : inv.argv.slice(1);
  let nested: string[] = [];
  let unknown: string | null = null;
  // git's configuration reader and the implicit-input readers load only for tools that need them.
  if (set.grammar.config === 'git') {
    const { gitView } = await import('../match/git-config.js');
    ({ args: given, nested, unknown } = gitView(given, env, ctx.cwd));
  }
  const g = grammarOf(set);
  const reader = ctx.reader ?? new PayloadReader();
  const withEnv = withEnvArgs(given, set, env);
  const implicit = set.grammar.implicit?.length
    ? (await import('../payload/implicit.js')).readImplicit(inv, withEnv, set, g, { env, cwd: ctx.cwd, reader })
    : { args: withEnv, payloads: new Map<string, Payload[]>(), unknowns: [] as Unknown[] };
  const args = implicit.args;
  const readings = [readArgs(args, g, false), readArgs(args, g, true)];
  // Env words are spliced into the middle of args, so run-time words are known by their text.
  const dynamicWords = new Set(inv.dynamic.map((i) => inv.argv[i]!));
  if (inv.argsUnknown) dynamicWords.add(ANY_WORD);
  const dynamic = new Set(args.flatMap((w, i) => (dynamicWords.has(w) ? [i] : [])));
  const analyzed = new Map<string, Promise<Finding[]>>();
  const findings = (analyzer: string) => {
    let p = analyzed.get(analyzer);
    if (!p) {
      p = (async () => {
        const started = performance.now();
        const payloads = [
          ...collectPayloads(inv, readings[0]!, set.grammar.payloads[analyzer] ?? {}, ctx.cwd, reader),
          ...(implicit.payloads.get(analyzer) ?? []),
        ];
        const result = payloads.length === 0 ? [] : await (await loadAnalyzer(analyzer))(payloads, { cwd: ctx.cwd, env, argv: inv.argv, reader });
        trace.push({ stage: 'analyze', invocation: n, analyzer, findings: result.map((f) => f.kind), ms: performance.now() - started });
        return result;
      })();
      analyzed.set(analyzer, p);
    }
    return p;
  };
  const out: Match[] = [];
  for (const rule of set.rules) {
    let hit = null;
    for (const read of readings) {
      const subject: Subject = { read, env, cwd: ctx.cwd, dynamic, findings, apiHosts: ctx.index.apiHosts ?? [] };
      if ((hit = await evaluate(rule.match, subject))) break;
    }
    if (!hit) continue;
    const details: Record<string, unknown> = {};
    for (const f of hit.findings) mergeDetails(details, f.details ?? {});
    if (hit.dynamic) details.dynamic = 'matched through a word only known at run time';
    const skipped = (set.grammar.promptSkip ?? []).find((f) => (readings[0]!.flags.get(f) ?? []).some((v) => !isFalsy(v)));
    if (skipped && rule.severity !== 'critical') details.promptSkipped = `${skipped} skips ${set.tool}'s own confirmation: one severity higher`;
    out.push({
      rule: rule.id,
      severity: skipped ? raiseSeverity(rule.severity) : rule.severity,
      message: fillMessage(rule.message, hit.findings),
      tool: set.tool,
      invocation: n,
      ...(rule.alternative ? { alternative: rule.alternative } : {}),
      ...(rule.blast ? { blast: rule.blast } : {}),
      ...(Object.keys(details).length ? { details } : {}),
    });
  }
  return { matches: out, nested, unknown, unknowns: implicit.unknowns, interactive: isInteractive(set, inv, readings[0]!) };
};

/** Judge command lines a tool's configuration runs as part of invocation `n`. */
const matchNested = async (lines: string[], n: number, ctx: MatchContext, result: MatchResult): Promise<void> => {
  const depth = (ctx.depth ?? 0) + 1;
  for (const line of lines) {
    if (depth > MAX_CONFIG_DEPTH) {
      result.unknowns.push({ reason: 'command lines in tool configuration nested too deeply', text: line });
      continue;
    }
    const parsed = withLineContext(await parseLine(line));
    result.unknowns.push(...parsed.unknowns);
    for (const cmd of parsed.commands) {
      const { invocations, unknowns } = await unwrap(cmd, { packages: ctx.index.packages });
      result.unknowns.push(...unknowns);
      for (const inner of invocations) {
        const sub = await matchInvocation(inner, n, { ...ctx, depth });
        result.matches.push(...sub.matches);
        result.unknowns.push(...sub.unknowns);
        result.trace.push(...sub.trace);
      }
    }
  }
};

/** Match one invocation (number `n` in the verdict) against every ruleset for its program. */
export const matchInvocation = async (inv: Invocation, n: number, ctx: MatchContext): Promise<MatchResult> => {
  const sets = (ctx.index.byBinary[inv.program] ?? []).map((i) => ctx.index.rulesets[i]!);
  const trace: TraceStep[] = [];
  if (sets.length === 0) {
    trace.push({ stage: 'match', invocation: n, tool: null, rules: [] });
    return { tool: null, matches: [], unknowns: [], trace, interactive: false };
  }
  const result: MatchResult = { tool: sets[0]!.tool, matches: [], unknowns: [], trace, interactive: false };
  const nested: string[] = [];
  for (const set of sets) {
    const r = await matchRuleset(set, inv, n, ctx, trace);
    result.matches.push(...r.matches);
    nested.push(...r.nested);
    if (r.unknown) result.unknowns.push({ reason: r.unknown, text: inv.text });
    result.unknowns.push(...r.unknowns);
    result.interactive ||= r.interactive;
  }
  trace.push({ stage: 'match', invocation: n, tool: sets[0]!.tool, rules: result.matches.map((m) => m.rule) });
  await matchNested(nested, n, ctx, result);
  return result;
};
