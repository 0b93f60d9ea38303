// A verdict in words for a hook answer: what was stopped, why, what it would hit, and the safer way.
// Plain text (no colour: harnesses show it verbatim). Where the hook opened the request the shim will
// honour, the texts carry its `blastgate approve <id>` line: the human approves once, out of band.
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

/** What the hook learned about approving this command: the request ids it opened, or approvals already given. */
export interface ApprovalNews {
  requestIds: string[];
  approvedIds: string[] | null;
  noPassphrase: boolean;
}

const approveLines = (ids: string[]) => ids.map((id) => `blastgate approve ${id}`).join('` and `');

/** Why: one approval, one path — the ask (human) and the refusal (model) both name the request the shim will honour. */
export const withApprovalNews = (said: HookVerdict, command: string, news: ApprovalNews | null): HookVerdict => {
  if (!news || said.decision !== 'confirm') return said;
  const cmd = `\`${commandLabel(command)}\``;
  if (news.approvedIds) {
    const text = visibleLines(`blastgate: ${cmd} was approved by a human (request ${news.approvedIds.join(', ')}); it runs once.`);
    return { ...said, decision: 'allow', forUser: text, forModel: text, forModelCannotAsk: text };
  }
  if (news.noPassphrase) {
    const none = 'Nobody can approve it yet: no approval passphrase is set. A human sets one in their own terminal with `blastgate passphrase set`.';
    return { ...said, forUser: `${said.forUser}\n${none}`, forModelCannotAsk: `${said.forModelCannotAsk}\n${none}` };
  }
  if (news.requestIds.length === 0) return said;
  const line = approveLines(news.requestIds);
  const strip = (text: string) => text.split('\n').filter((l) => !l.startsWith('If it is really needed') && !l.startsWith('Do not retry')).join('\n');
  return {
    ...said,
    forUser: `${said.forUser}\nTo let it run, approve it in your own terminal: \`${line}\` (asks for the approval passphrase), then choose Yes here; it then runs once. Yes alone is not enough: blastgate waits for that approval.`,
    forModelCannotAsk: [
      strip(said.forModelCannotAsk),
      `It was not run. Only a human can approve it, in their own terminal: \`${line}\`. Tell the user; once they say it is approved, run exactly the same command again in the same directory, and it runs once.`,
      DO_NOT_EVADE,
    ].join('\n'),
  };
};

/** The answer for a call blastgate cannot judge at all (bad payload, broken config): refuse, and say why. */
export const refusalText = (why: string): string =>
  `blastgate refused this command because it could not check it: ${why}. Nothing was run; tell the user, who can fix blastgate's setup.`;
