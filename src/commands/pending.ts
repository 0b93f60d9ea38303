// `blastgate pending [--json]`: the requests waiting for a human, newest last.
import { chalkFor, shellQuote } from '../confirm/panel.js';
import { trustedKeys } from '../approvals/key-store.js';
import { listPending, sweepExpired } from '../approvals/store.js';
import { redactArgv, redactValue, secretsOf } from '../audit/redact.js';
import { loadEngine } from '../engine.js';
import { visibleValue } from '../report/escape.js';
import { humanTime } from '../report/time.js';

export interface PendingOptions {
  json?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
  out?: (text: string) => void;
}

const ago = (iso: string, now: number) => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 90 ? `${s}s` : s < 5400 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

/** Why: a human needs the id to approve, and a glance at what each request would do. */
export const runPending = async (opts: PendingOptions): Promise<number> => {
  const engine = await loadEngine({ env: opts.env, cwd: opts.cwd });
  const out = opts.out ?? ((t: string) => void process.stdout.write(t));
  sweepExpired(engine.paths);
  const now = Date.now();
  const open = listPending(engine.paths)
    .filter((p) => Date.parse(p.expiresAt) > now)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const rows = open.map((p) => ({
    id: p.id,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
    actor: p.panel.actor,
    tool: p.panel.tool,
    // The asker's own redaction (it knew which values were its tokens); `approve` shows the bound argv.
    argv: redactArgv(Array.isArray(p.auditArgv) ? p.auditArgv.map(String) : p.panel.argv, engine.env),
    cwd: p.panel.cwd,
    rules: p.panel.rules.map((r) => r.rule),
    severity: p.panel.severity,
    target: p.panel.target ? redactValue({ kind: p.panel.target.kind, name: p.panel.target.name, production: p.panel.target.production }, secretsOf(p.panel.argv, engine.env)) : null,
  }));
  if (opts.json) {
    out(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  const keys = trustedKeys(engine.paths);
  const c = chalkFor(process.stdout.isTTY === true, engine.env);
  if (rows.length === 0) out('no pending requests\n');
  for (const row of rows) {
    // argv is shell-quoted (controls shown as $'\x1b…'); everything else the asker wrote is made visible too.
    const r = { ...visibleValue(row), argv: row.argv };
    const target = r.target ? `${r.target.kind} ${r.target.name ?? 'unknown'}${r.target.production === true ? ' PRODUCTION' : ''}` : 'target unknown';
    out(`${c.bold(r.id)}  ${humanTime(r.createdAt)} (${ago(r.createdAt, now)} ago)  ${r.actor}  ${r.severity ?? '?'}  ${target}\n    ${shellQuote(r.argv)}\n    in ${r.cwd}; open until ${humanTime(r.expiresAt)}; approve with: blastgate approve ${r.id}\n`);
  }
  if (keys.keys.length === 0) out(c.yellow('no approval passphrase is set: run `blastgate passphrase set` before anything can be approved\n'));
  for (const note of keys.ignored) out(c.yellow(`note: ${note}\n`));
  return 0;
};
