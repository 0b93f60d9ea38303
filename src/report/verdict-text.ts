// Human-readable verdict for `check` and the trace for `explain`.
import type { ChalkInstance } from 'chalk';
import type { Decision, Severity, Target, Verdict } from '../types.js';
import { visibleValue } from './escape.js';

const decisionColor = (c: ChalkInstance, d: Decision) => (d === 'allow' ? c.green : d === 'confirm' ? c.yellow : c.red);
const severityColor = (c: ChalkInstance, s: Severity) =>
  s === 'critical' ? c.red.bold : s === 'high' ? c.red : s === 'medium' ? c.yellow : c.dim;

export const targetLines = (t: Target | null): string[] => {
  if (!t) return ['target: unknown (no resolver for this tool)'];
  const lines = [`target: ${t.kind}${t.name ? ` ${t.name}` : ''}${t.production === true ? ' — PRODUCTION' : t.production === 'unknown' ? ' (production: unknown)' : ''}`];
  for (const [k, v] of Object.entries(t.fields)) lines.push(`  ${k}: ${v === null ? 'unknown' : Array.isArray(v) ? v.join(', ') : String(v)}`);
  if (t.resources) lines.push(`  resources: ${t.resources.count}${t.resources.names.length ? ` (${t.resources.names.join(', ')})` : ''}`);
  if (t.credential) lines.push(`  credential: ${t.credential.name} — ${t.credential.scope}`);
  for (const n of t.notes ?? []) lines.push(`  note: ${n}`);
  return lines;
};

/** One verdict as a few calm lines. */
export const verdictText = (verdict: Verdict, c: ChalkInstance): string => {
  // Rule messages carry SQL and names from the command; resolvers echo files: nothing reaches the terminal raw.
  const v = visibleValue(verdict);
  const out = [`${decisionColor(c, v.decision).bold(v.decision)}${v.severity ? ` (${severityColor(c, v.severity)(v.severity)})` : ''} — ${v.reason}`];
  for (const m of v.matches) {
    out.push(`  ${severityColor(c, m.severity)(m.rule)}: ${m.message}`);
    if (m.alternative) out.push(c.dim(`    instead: ${m.alternative}`));
    const where = v.commands[m.invocation]?.targets;
    if (where?.length) out.push(`    runs in: ${where.join(' → ')}`);
  }
  for (const u of v.unknowns) {
    const scope = u.agentOnly ? c.dim(' (counts for an AI agent only)') : '';
    out.push(`  ${c.yellow('unknown')}: ${u.reason}${scope}${u.text ? c.dim(` — ${u.text}`) : ''}`);
  }
  if (v.matches.length > 0) {
    const target = v.target && v.blast.production === true ? { ...v.target, production: true as const } : v.target;
    out.push(...targetLines(target).map((l) => `  ${l}`));
    out.push(`  backups: ${v.blast.backups}; irreversible: ${v.blast.irreversible ? 'yes' : 'no'}; actor: ${v.actor}`);
  }
  return out.join('\n');
};

/** The decision path, stage by stage. */
export const traceText = (verdict: Verdict, c: ChalkInstance): string => {
  const v = visibleValue(verdict);
  const out: string[] = [];
  for (const step of v.trace) {
    const head = c.bold(step.stage.padEnd(8));
    switch (step.stage) {
      case 'parse':
        out.push(`${head} ${step.commands} command(s) via ${step.parser}${step.unknowns ? c.yellow(`, ${step.unknowns} not understood`) : ''}`);
        break;
      case 'unwrap':
        out.push(`${head} ${step.from}${step.wrappers.length ? `  ⇒  ${step.to.join(' ; ')}  ${c.dim(`(peeled: ${step.wrappers.join(', ')})`)}` : ''}`);
        break;
      case 'match':
        out.push(`${head} #${step.invocation} ${step.tool ? `ruleset ${step.tool}: ${step.rules.length ? step.rules.join(', ') : 'no rule fired'}` : c.dim('not a guarded tool')}`);
        break;
      case 'analyze':
        out.push(`${head} #${step.invocation} ${step.analyzer}: ${step.findings.join(', ') || 'nothing destructive'} ${c.dim(`(${step.ms.toFixed(1)} ms)`)}`);
        break;
      case 'resolve':
        out.push(`${head} ${step.tool}: ${step.target ? targetLines(step.target)[0] : 'no resolver'} ${c.dim(`(${step.ms.toFixed(1)} ms)`)}`);
        break;
      case 'decide':
        out.push(`${head} actor ${step.actor} (${step.actorReason}); production ${String(step.production)}; ${decisionColor(c, step.decision)(step.decision)}: ${step.reason}`);
        break;
    }
  }
  return out.join('\n');
};
