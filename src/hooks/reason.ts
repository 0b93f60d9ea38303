// A verdict in words for a hook answer: what was stopped, why, what it would hit, and the safer way.
// Plain text (no colour: harnesses show it verbatim) and no `blastgate approve` line — the model
// reads this, and an approval is the human's business, not a next step for the agent.
import type { Target, Verdict } from '../types.js';
import type { HookVerdict } from './types.js';
import { visibleLines } from '../report/escape.js';

const MAX_COMMAND = 300;
const MAX_DETAIL = 160;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The command as one short line: scripts show their first line, long lines are cut. */
export const commandLabel = (command: string): string => {
  const lines = command.trim().split('\n');
  const first = clip(lines[0]!.trim(), MAX_COMMAND);
  return lines.length > 1 ? `${first} … (${lines.length} lines)` : first;
};

const fieldText = (v: Target['fields'][string]) => (v === null ? 'unknown' : Array.isArray(v) ? v.join(', ') : String(v));

const targetLine = (t: Target | null, production: boolean | 'unknown'): string => {
  if (!t) return 'Target: unknown (blastgate could not tell what this would hit)';
  const prod = production === true ? ' — PRODUCTION' : production === 'unknown' ? ' (production: unknown)' : '';
  const fields = Object.entries(t.fields).map(([k, v]) => `${k}: ${fieldText(v)}`);
  if (t.resources) fields.push(`resources: ${t.resources.count}`);
  if (t.credential) fields.push(`credential: ${t.credential.name} (${t.credential.scope})`);
  return `Target: ${t.kind}${t.name ? ` ${t.name}` : ''}${prod}${fields.length ? `; ${fields.join(', ')}` : ''}`;
};

/** Rules fired, what cannot be judged, target, backups: the blast radius in a few lines. */
export const blastSummary = (v: Verdict): string[] => {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const m of v.matches) {
    if (seen.has(m.rule)) continue;
    seen.add(m.rule);
    const wrappers = v.commands[m.invocation]?.wrappers ?? [];
    lines.push(`- ${m.rule} (${m.severity}): ${m.message}${wrappers.length ? ` [found inside: ${wrappers.join(', ')}]` : ''}`);
  }
  for (const u of v.unknowns) lines.push(`- cannot judge: ${u.reason}${u.text ? ` — ${clip(u.text, MAX_DETAIL)}` : ''}`);
  if (v.matches.length > 0) {
    lines.push(targetLine(v.target, v.blast.production));
    lines.push(`Backups: ${v.blast.backups}; irreversible: ${v.blast.irreversible ? 'yes' : 'no'}`);
  }
  return lines;
};

/** Each distinct safer alternative the fired rules suggest. */
export const alternatives = (v: Verdict): string[] => [...new Set(v.matches.map((m) => m.alternative).filter((a): a is string => !!a))];

const alternativeLine = (v: Verdict): string[] => {
  const alts = alternatives(v);
  return alts.length ? [`Safer alternative: ${alts.join(' | ')}`] : [];
};

const DO_NOT_EVADE = 'Do not retry it another way: scripts, `bash -c`, other wrappers and direct API calls are checked the same way.';

/** Why: one place turns an engine verdict into every text any harness may show — none of it raw. */
export const describeVerdict = (command: string, v: Verdict): HookVerdict => {
  const said = describeRaw(command, v);
  // Harnesses show these texts in a terminal UI: an ESC or bidi override from the command must not act there.
  return { ...said, forUser: visibleLines(said.forUser), forModel: visibleLines(said.forModel), forModelCannotAsk: visibleLines(said.forModelCannotAsk) };
};

const describeRaw = (command: string, v: Verdict): HookVerdict => {
  if (v.decision === 'allow') return { decision: 'allow', forUser: '', forModel: '', forModelCannotAsk: '' };
  const cmd = `\`${commandLabel(command)}\``;
  const summary = blastSummary(v);
  const alt = alternativeLine(v);
  if (v.decision === 'deny') {
    const text = [`blastgate refused ${cmd}: policy denies it for an agent.`, ...summary, ...alt, DO_NOT_EVADE].join('\n');
    return { decision: 'deny', forUser: text, forModel: text, forModelCannotAsk: text };
  }
  return {
    decision: 'confirm',
    forUser: [`blastgate: ${cmd} needs your confirmation.`, ...summary, ...alt].join('\n'),
    forModel: [`blastgate stopped ${cmd}: it needs a human's confirmation.`, ...summary, ...alt].join('\n'),
    forModelCannotAsk: [
      `blastgate stopped ${cmd}: it needs a human's confirmation, which an agent cannot give.`,
      ...summary,
      ...alt,
      'If it is really needed, stop and ask the user to run it themselves in their own terminal, where blastgate shows them what it would hit.',
      DO_NOT_EVADE,
    ].join('\n'),
  };
};

/** The answer for a call blastgate cannot judge at all (bad payload, broken config): refuse, and say why. */
export const refusalText = (why: string): string =>
  `blastgate refused this command because it could not check it: ${why}. Nothing was run; tell the user, who can fix blastgate's setup.`;
