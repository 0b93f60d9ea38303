// MCP rules × one call → matches, what cannot be judged, and the target the arguments name. Payload
// arguments (SQL in a database server's `query`) go through the same analyzers as the CLI rules.
import { loadAnalyzer } from '../../analyzers/index.js';
import { compileRegex } from '../../match/regex.js';
import type { McpRule } from '../../rulesets/types.js';
import { SEVERITIES, type Finding, type Match, type Target, type Unknown } from '../../types.js';
import type { McpCall } from './call.js';

export interface McpRuleOf {
  rule: McpRule;
  /** The ruleset it came from (its `tool`), reported as the match's tool. */
  tool: string;
}

export interface McpMatchContext {
  cwd: string;
  env: Record<string, string | undefined>;
}

const globCache = new Map<string, RegExp>();
const glob = (pattern: string): RegExp => {
  let re = globCache.get(pattern);
  if (!re) globCache.set(pattern, (re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i')));
  return re;
};

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');

const argsHold = (rule: McpRule, args: Record<string, unknown>): boolean =>
  Object.entries(rule.args ?? {}).every(([name, want]) => {
    const present = Object.hasOwn(args, name) && args[name] !== null && args[name] !== '';
    if (typeof want === 'boolean') return present === want;
    return present && compileRegex(want).test(text(args[name]));
  });

const fill = (message: string, args: Record<string, unknown>, detail: string) =>
  message.replace(/\{detail\}/g, detail).replace(/\{args\.([A-Za-z0-9_-]+)\}/g, (_, name: string) => (Object.hasOwn(args, name) ? text(args[name]) : 'unknown'));

/** Does this rule concern this server and tool at all? */
export const ruleConcerns = (rule: McpRule, call: Pick<McpCall, 'server' | 'tool'>): boolean =>
  (call.server === null || rule.servers.some((s) => glob(s).test(call.server!))) && rule.tools.some((t) => glob(t).test(call.tool));

const targetOf = (rule: McpRule, call: McpCall): Target => {
  const fields: Target['fields'] = { server: call.server ?? call.via ?? 'unknown', tool: call.tool };
  for (const f of rule.target!.fields) if (Object.hasOwn(call.args, f)) fields[f] = text(call.args[f]);
  const named = rule.target!.fields.map((f) => call.args[f]).find((v) => typeof v === 'string' && v !== '');
  return { kind: rule.target!.kind, ...(typeof named === 'string' ? { name: named } : {}), production: 'unknown', fields, ...(rule.blast?.backups ? { backups: 'deleted' as const } : {}) };
};

/** Why: the one place an MCP call is judged against rules; never throws for a payload it cannot read. */
export const matchMcpCall = async (call: McpCall, rules: McpRuleOf[], ctx: McpMatchContext): Promise<{ matches: Match[]; unknowns: Unknown[]; target: Target | null }> => {
  const matches: Match[] = [];
  const unknowns: Unknown[] = [];
  const findingsCache = new Map<string, Finding[]>();
  const findingsFor = async (analyzer: string, arg: string, value: string) => {
    const key = `${analyzer}\0${arg}`;
    let found = findingsCache.get(key);
    if (!found) {
      found = await (await loadAnalyzer(analyzer))([{ text: value, origin: `${call.fullName} argument "${arg}"` }], { cwd: ctx.cwd, env: ctx.env, argv: [] });
      findingsCache.set(key, found);
      for (const f of found) if (f.kind === 'unknown') unknowns.push({ reason: f.detail, text: value });
    }
    return found;
  };
  let worst: { rule: McpRule; rank: number } | null = null;
  for (const { rule, tool } of rules) {
    if (!ruleConcerns(rule, call) || !argsHold(rule, call.args)) continue;
    let detail = '';
    let details: Record<string, unknown> | undefined;
    if (rule.payload) {
      const arg = rule.payload.args.find((a) => Object.hasOwn(call.args, a));
      if (arg === undefined) continue;
      const value = call.args[arg];
      if (typeof value !== 'string') {
        const reason = `${call.fullName}: argument "${arg}" is not text`;
        if (!unknowns.some((u) => u.reason === reason)) unknowns.push({ reason, text: text(value) });
        continue;
      }
      const hit = (await findingsFor(rule.payload.analyzer, arg, value)).find((f) => rule.payload!.kinds.includes(f.kind));
      if (!hit) continue;
      detail = hit.detail;
      details = hit.details;
    }
    matches.push({
      rule: rule.id,
      severity: rule.severity,
      message: fill(rule.message, call.args, detail),
      tool,
      invocation: 0,
      ...(rule.alternative ? { alternative: rule.alternative } : {}),
      ...(rule.blast ? { blast: rule.blast } : {}),
      ...(details ? { details } : {}),
    });
    const rank = SEVERITIES.indexOf(rule.severity);
    if (rule.target && (!worst || rank > worst.rank)) worst = { rule, rank };
  }
  return { matches, unknowns, target: worst ? targetOf(worst.rule, call) : null };
};
