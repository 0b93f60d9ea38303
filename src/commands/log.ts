// `blastgate log [--json] [--since 1h] [--tool terraform] [--verify]`: read and check the audit log.
import { readFileSync } from 'node:fs';
import { chalkFor } from '../confirm/panel.js';
import { shellQuote, visible } from '../report/escape.js';
import { humanTime } from '../report/time.js';
import { verifyChain } from '../audit/chain.js';
import { auditLogPath, readHead, readRecords } from '../audit/log-file.js';
import type { AuditRecord } from '../audit/record.js';
import { resolvePaths } from '../config/paths.js';
import { UsageError } from '../errors.js';

export interface LogOptions {
  json?: boolean;
  since?: string;
  tool?: string;
  verify?: boolean;
  env?: Record<string, string | undefined>;
  out?: (text: string) => void;
  err?: (text: string) => void;
  now?: Date;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Why: `--since 1h`, `--since 30m`, `--since 2026-05-01` — a duration back from now, or a date. */
export const parseSince = (text: string, now: Date): Date => {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * UNITS[m[2]!]! * 1000);
  const t = Date.parse(text);
  if (Number.isFinite(t)) return new Date(t);
  throw new UsageError(`--since ${JSON.stringify(text)}: expected a duration like 30m, 1h, 2d, or a date like 2026-05-01`);
};

const verify = (opts: LogOptions, file: string, head: ReturnType<typeof readHead>): number => {
  const out = opts.out ?? ((t: string) => void process.stdout.write(t));
  const err = opts.err ?? ((t: string) => void process.stderr.write(t));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (head) {
      err(`blastgate: audit log ${file} is missing, but ${head.seq} record(s) were written\n`);
      return 1;
    }
    out(`no audit log yet (${file})\n`);
    return 0;
  }
  const report = verifyChain(text, head);
  if (report.problem) {
    err(`blastgate: audit log broken: ${report.problem.message} (${file})\n`);
    return 1;
  }
  out(`audit log intact: ${report.records} record(s), every link checks (${file})\n`);
  return 0;
};

/** Statements that came on stdin, in a heredoc or a file, after the command (one line, visible). */
const payloadText = (r: AuditRecord): string =>
  Array.isArray(r.payload) && r.payload.length ? ` <<< ${r.payload.map((p) => visible(String(p))).join(' ; ')}` : '';

// The log file is writable by the same uid: every cell is made visible before it reaches a terminal.
const row = (r: AuditRecord): string[] => [
  humanTime(r.time),
  visible(String(r.actor)),
  visible(r.tool ?? '-'),
  visible(String(r.decision)),
  r.exitCode === null || r.exitCode === undefined ? visible(String(r.signal ?? '-')) : String(r.exitCode),
  visible(r.approvalId ?? '-'),
  `${shellQuote(Array.isArray(r.argv) ? r.argv.map(String) : [])}${payloadText(r)}`,
];

/** Why: who ran what, what blastgate decided and how it ended — filtered, as a table or JSON lines. */
export const runLog = async (opts: LogOptions): Promise<number> => {
  const paths = resolvePaths(opts.env ?? process.env);
  const file = auditLogPath(paths);
  if (opts.verify) return verify(opts, file, readHead(paths));
  const out = opts.out ?? ((t: string) => void process.stdout.write(t));
  const since = opts.since ? parseSince(opts.since, opts.now ?? new Date()) : null;
  const records = readRecords(paths).filter(
    (r) => (!since || Date.parse(r.time) >= since.getTime()) && (!opts.tool || r.tool === opts.tool),
  );
  if (opts.json) {
    for (const r of records) out(`${JSON.stringify(r)}\n`);
    return 0;
  }
  if (records.length === 0) {
    out('no matching audit records\n');
    return 0;
  }
  const c = chalkFor(process.stdout.isTTY === true, opts.env ?? process.env);
  const header = ['TIME (UTC)', 'ACTOR', 'TOOL', 'DECISION', 'EXIT', 'REQUEST', 'COMMAND'];
  const rows = records.map(row);
  const widths = header.map((h, i) => (i === header.length - 1 ? 0 : Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  out(`${c.bold(line(header))}\n`);
  for (const r of rows) {
    const colored = [...r];
    const d = r[3]!;
    colored[3] = /declined|denied|pending|rejected|failed|no-passphrase/.test(d) ? c.red(d.padEnd(widths[3]!)) : /approved|confirmed/.test(d) ? c.green(d.padEnd(widths[3]!)) : d.padEnd(widths[3]!);
    out(`${colored.map((cell, i) => (i === 3 || i === colored.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
  }
  return 0;
};
