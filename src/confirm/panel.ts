// The blast-radius panel: what will be lost, where, with whose credential, asked by whom.
// Rendered from PanelData only, so `approve` in another terminal shows exactly what the gate saw.
import { Chalk, supportsColorStderr, type ChalkInstance } from 'chalk';
import { redactArgv, redactValue, secretsOf } from '../audit/redact.js';
import { shellQuote, visible, visibleValue } from '../report/escape.js';
import type { Actor, FieldValue, Severity, Verdict } from '../types.js';
import type { BoundInputs } from '../approvals/credentials.js';

export interface PanelRule {
  rule: string;
  severity: Severity;
  message: string;
}

export interface PanelTarget {
  kind: string;
  name: string | null;
  production: boolean | 'unknown';
  fields: Record<string, FieldValue>;
  /** Fields a resolver tried and could not learn: shown as "unknown", never dropped. */
  unresolved: string[];
  credential: { name: string; scope: string } | null;
  resources: { count: number; names: string[]; dataHolding: string[] } | null;
  notes: string[];
}

/** Everything the panel shows. All of it except `actorReason` is bound into an approval. */
export interface PanelData {
  /** The exact argv the real tool gets (secrets are masked only when rendered). */
  argv: string[];
  cwd: string;
  tool: string;
  severity: Severity | null;
  rules: PanelRule[];
  target: PanelTarget | null;
  irreversible: boolean | 'unknown';
  backups: 'deleted' | 'kept' | 'unknown';
  actor: Actor;
  actorReason: string;
  /** Parts of the command the engine could not understand. */
  unknowns: string[];
  /** Credentials, behaviour-changing environment and payloads the tool will read, fingerprinted. */
  bound?: BoundInputs;
}

const irreversibleOf = (v: Verdict): boolean | 'unknown' => {
  if (v.matches.some((m) => m.blast?.irreversible === true)) return true;
  if (v.matches.length > 0 && v.matches.every((m) => m.blast?.irreversible === false)) return false;
  return 'unknown';
};

/** Why: the confirm stage, the pending request and `approve` all start from this one snapshot. */
export const panelDataFrom = (verdict: Verdict, argv: string[], cwd: string, actorReason: string): PanelData => {
  const top = verdict.matches[0];
  const t = verdict.target;
  return {
    argv: [...argv],
    cwd,
    tool: top?.tool ?? verdict.commands[0]?.program ?? argv[0] ?? 'unknown',
    severity: verdict.severity,
    rules: verdict.matches.map((m) => ({ rule: m.rule, severity: m.severity, message: m.message })),
    target: t
      ? {
          kind: t.kind,
          name: t.name ?? null,
          production: verdict.blast.production,
          fields: { ...t.fields },
          unresolved: [...(t.unresolved ?? [])],
          credential: t.credential ? { ...t.credential } : null,
          resources: t.resources ? { count: t.resources.count, names: [...t.resources.names], dataHolding: [...t.resources.dataHolding] } : null,
          notes: [...(t.notes ?? [])],
        }
      : null,
    irreversible: irreversibleOf(verdict),
    backups: verdict.blast.backups,
    actor: verdict.actor,
    actorReason,
    unknowns: verdict.unknowns.map((u) => u.reason),
  };
};

/** Production-ness of the panel's target (no target at all is unknown, not "no"). */
export const productionOfPanel = (d: PanelData): boolean | 'unknown' => d.target?.production ?? 'unknown';

/** Re-exported: the one shell quoting, which also makes control characters visible. */
export { shellQuote } from '../report/escape.js';

/** Why: colours only for a terminal that wants them; NO_COLOR or a pipe gets plain text. */
export const chalkFor = (isTTY: boolean, env: Record<string, string | undefined>): ChalkInstance => {
  const off = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || !isTTY || env.TERM === 'dumb';
  return new Chalk({ level: off ? 0 : Math.max(1, supportsColorStderr ? supportsColorStderr.level : 1) as 1 | 2 | 3 });
};

const fieldText = (v: FieldValue | undefined): string => {
  if (v === null || v === undefined || (typeof v === 'string' && v === '')) return 'unknown';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
};

const LABEL_WIDTH = 14;

/** The credentials and payloads an approval is tied to, by name only (fingerprints are not for reading). */
const boundSummary = (d: PanelData): string | null => {
  if (!d.bound) return null;
  const names = Object.entries(d.bound.credentials)
    .filter(([, v]) => v !== 'unset' && v !== 'absent')
    .map(([k]) => (k.startsWith('env:') ? k.slice(4) : k.slice(5)));
  const payloads = d.bound.payloads.map((p) => (p.source === 'stdin' ? 'stdin' : p.source));
  const all = [...names, ...payloads];
  return all.length ? `${all.join(', ')} (an approval holds only for these as they are now)` : null;
};

/** Why: one renderer for the gate (stderr / tty) and for `approve`; it masks secrets on the way out. */
export const renderPanel = (d: PanelData, c: ChalkInstance, env: Record<string, string | undefined> = {}): string => {
  const plain = c.level === 0;
  const secrets = secretsOf(d.argv, env);
  const red = (s: string) => c.red.bold(s);
  const pad = (label: string, width: number) => label.padEnd(Math.max(width, label.length + 1));
  const row = (label: string, value: string) => `  ${c.dim(pad(label, LABEL_WIDTH))}${value}`;
  const sub = (label: string, value: string) => `    ${c.dim(pad(label, LABEL_WIDTH - 2))}${value}`;
  // The same words with or without colour, so a pasted or logged panel stays loud too.
  const loud = plain ? '!!! PRODUCTION !!!' : c.bgRed.white.bold('!!! PRODUCTION !!!');
  const prod = productionOfPanel(d);
  const sev = d.severity ?? 'unknown';
  const lines: string[] = [];

  // No line of the panel starts with "blastgate:" — that prefix is kept for the one refusal line.
  lines.push(c.bold(`── blastgate ── ${visible(d.tool)} needs confirmation: ${sev === 'critical' || sev === 'high' ? red(sev.toUpperCase()) : sev}${prod === true ? `  ${loud}` : ''}`));
  lines.push(row('command', c.bold(shellQuote(redactArgv(d.argv, env)))));
  lines.push(row('directory', visible(d.cwd)));
  if (d.rules.length === 0) lines.push(row('rules', 'none matched — the command could not be judged'));
  for (const [i, r] of d.rules.entries()) {
    lines.push(row(i === 0 ? 'destroys' : '', `${visible(r.message)} ${c.dim(`[${visible(r.rule)}, ${r.severity}]`)}`));
  }
  for (const u of d.unknowns) lines.push(row('not understood', c.yellow(visible(u))));

  // Resolver output (names, notes) comes from files and tools the caller controls: shown visibly too.
  const t = d.target ? visibleValue(redactValue(d.target, secrets)) : null;
  if (!t) {
    lines.push(row('target', 'unknown (no resolver for this tool)'));
  } else {
    lines.push(row('target', `${t.kind} ${t.name ? c.bold(t.name) : 'unknown'}`));
    for (const [k, v] of Object.entries(t.fields)) lines.push(sub(k, fieldText(v)));
    for (const k of t.unresolved) if (!(k in t.fields) && k !== 'resources') lines.push(sub(k, 'unknown'));
    lines.push(sub('resources', t.resources ? `${t.resources.count}${t.resources.names.length ? ` (${t.resources.names.join(', ')})` : ''}` : 'unknown'));
    if (t.resources?.dataHolding.length) lines.push(sub('holding data', red(t.resources.dataHolding.join(', '))));
    for (const n of t.notes) lines.push(sub('note', n));
  }
  lines.push(row('production', prod === true ? loud : prod === false ? 'no' : 'unknown'));
  lines.push(row('irreversible', d.irreversible === true ? red('YES') : d.irreversible === false ? 'no' : 'unknown'));
  lines.push(row('backups', d.backups === 'deleted' ? red('DELETED TOO') : d.backups === 'kept' ? 'kept' : 'unknown'));
  lines.push(row('credential', t?.credential ? `${t.credential.name} — ${t.credential.scope}` : 'unknown'));
  const bound = boundSummary(d);
  if (bound) lines.push(row('bound to', visible(bound)));
  lines.push(row('asked by', `${d.actor === 'agent' ? c.yellow.bold('AI agent') : 'human'} ${c.dim(`(${visible(d.actorReason)})`)}`));
  return lines.join('\n');
};
