// Blast radius of psql, dropdb, dropuser and pg_restore: which server, database and user, and — when the
// server answers in time — how many rows and bytes the statement would destroy.
import { basename } from 'node:path';
import { analyzeSql } from '../analyzers/sql.js';
import { readPsqlArgs } from '../analyzers/psql-options.js';
import { collectPayloads } from '../match/payloads.js';
import { indexGrammar, readArgs, type ReadArgs } from '../match/read-args.js';
import type { Grammar } from '../rulesets/types.js';
import { realBinaryCandidates } from '../stages/exec.js';
import type { FieldValue, Finding, Invocation, Target } from '../types.js';
import { hostLabel, isLocalHost, resolveConnection, expandVars, type ConnectionWords, type PgConnection } from './postgres-conn.js';
import { COUNT_CAP, notNullKey, prettyBytes, runLookup, type LookupRequest, type LookupResult, type TableInfo } from './postgres-lookup.js';
import type { ResolveContext, Resolver } from './types.js';

type Env = Record<string, string | undefined>;

// The client tools' own option tables (`dropdb --help`, `dropuser --help`, `pg_restore --help`).
const clientGrammar = (valueFlags: string[]): Grammar => ({
  style: 'posix',
  valueFlags,
  aliases: { '--host': '-h', '--port': '-p', '--username': '-U', '--dbname': '-d', '--file': '-f', '--table': '-t', '--schema': '-n', '--clean': '-c', '--create': '-C' },
  envArgs: [],
  payloads: {},
});
const DROPDB = indexGrammar(clientGrammar(['-h', '-p', '-U', '--maintenance-db']));
const PG_RESTORE = indexGrammar(clientGrammar(['-d', '-f', '-F', '-I', '-j', '-L', '-n', '-N', '-P', '-S', '-t', '-T', '-h', '-p', '-U', '--role', '--section', '--restrict-key', '--filter', '--transaction-size', '--exclude-database']));

const last = (read: ReadArgs, flag: string): string | undefined => read.flags.get(flag)?.at(-1);

/** psql: flags, then `psql [DBNAME [USERNAME]]` (with -d given, the first positional is the user). */
const psqlWords = (read: ReadArgs): ConnectionWords => {
  const words: ConnectionWords = { host: last(read, '-h'), port: last(read, '-p'), user: last(read, '-U'), dbname: last(read, '-d') };
  for (const p of read.positionals) {
    if (words.dbname === undefined) words.dbname = p;
    else if (words.user === undefined) words.user = p;
  }
  return words;
};

const realTool = (tool: string, env: Env): string | undefined => realBinaryCandidates(tool, { path: env.PATH })[0];

/** psql arguments that reach the same server as the command would (its env supplies the rest). */
const connArgsFor = (words: ConnectionWords, dbname: string | undefined, env: Env): string[] => {
  const args: string[] = [];
  for (const [flag, word] of [['-h', words.host], ['-p', words.port], ['-U', words.user]] as const) {
    const v = word === undefined ? null : expandVars(word, env);
    if (v) args.push(flag, v);
  }
  if (dbname) args.push('-d', dbname);
  return args;
};

const rowsText = (t: TableInfo) =>
  t.exact ? (t.rows > COUNT_CAP ? `more than ${COUNT_CAP} rows` : `${t.rows} rows`) : `~${t.rows} rows`;

// What the findings of the SQL analyzer ask the server about.
const requestFor = (findings: Finding[]): LookupRequest => {
  const req: LookupRequest = { tables: [], cascade: [], schemas: [], databases: [], roles: [], overview: false, notNull: [] };
  const add = (list: string[], names: unknown) => {
    // `:var`, `$t`, `{}`: placeholders for names only known at run time; nothing to look up.
    for (const n of Array.isArray(names) ? names : []) if (typeof n === 'string' && n && !/^[:$]|\{\}/.test(n) && !list.includes(n)) list.push(n);
  };
  for (const f of findings) {
    const d = f.details ?? {};
    const kind = f.kind === 'rolled-back' ? String(d.kindIfCommitted) : f.kind;
    if (kind === 'unbounded-write' && Array.isArray(d.notNullColumns) && Array.isArray(d.tables) && typeof d.tables[0] === 'string' && !/^[:$]|\{\}/.test(d.tables[0])) {
      req.notNull!.push({ table: d.tables[0], columns: d.notNullColumns.map(String) });
    }
    if (['drop-table', 'truncate', 'delete-all', 'update-all', 'alter-drop', 'alter-type', 'unbounded-write'].includes(kind)) {
      add(req.tables, d.tables);
      if (d.cascade === true && (kind === 'drop-table' || kind === 'truncate')) add(req.cascade, d.tables);
    }
    if (kind === 'temp-table') req.searchPath = true;
    if (kind === 'drop-schema') add(req.schemas, d.schemas);
    if (kind === 'drop-database') add(req.databases, [d.database]);
    if (kind === 'drop-owned') add(req.roles, d.objects);
  }
  return req;
};

const hasQuestions = (r: LookupRequest) => r.overview || !!r.searchPath || r.tables.length + r.schemas.length + r.databases.length + r.roles.length + (r.notNull?.length ?? 0) > 0;

interface Shape {
  conn: PgConnection;
  /** What a human types to confirm. */
  name: string | undefined;
  fields: Record<string, FieldValue>;
  request: LookupRequest;
  runner?: { binary: string; connArgs: string[] };
  notes: string[];
}

const baseFields = (conn: PgConnection): Record<string, FieldValue> => ({
  host: conn.unknown.includes('host') ? null : hostLabel(conn),
  port: conn.unknown.includes('port') ? null : (conn.port ?? null),
  user: conn.user ?? null,
  database: conn.dbname ?? null,
  ...(conn.service ? { service: conn.service } : {}),
});

const psqlShape = async (inv: Invocation, ctx: ResolveContext): Promise<Shape> => {
  const read = readPsqlArgs(inv.argv.slice(1));
  const words = psqlWords(read);
  const conn = resolveConnection(words, ctx.env);
  const payloads = collectPayloads(inv, read, { flags: ['-c'], fileFlags: ['-f'], stdin: true }, ctx.cwd);
  const findings = payloads.length ? await analyzeSql(payloads, { cwd: ctx.cwd, env: ctx.env, argv: inv.argv }) : [];
  const request = requestFor(findings);
  const dropped = request.databases;
  const binary = realTool('psql', ctx.env);
  const dbWord = words.dbname === undefined ? undefined : (expandVars(words.dbname, ctx.env) ?? undefined);
  return {
    conn,
    // DROP DATABASE: the name to type is the database that goes, not the one psql connects to.
    name: dropped[0] ?? conn.dbname,
    fields: baseFields(conn),
    request,
    ...(binary ? { runner: { binary, connArgs: connArgsFor(words, dbWord, ctx.env) } } : {}),
    notes: findings.some((f) => f.details?.origin && /^\\i|^\\ir/.test(String(f.details.origin))) ? ['part of the SQL comes from an included file (\\i)'] : [],
  };
};

const dropdbShape = (inv: Invocation, ctx: ResolveContext, tool: 'dropdb' | 'dropuser'): Shape => {
  const read = readArgs(inv.argv.slice(1), DROPDB, false);
  const target = read.positionals[0] === undefined ? undefined : (expandVars(read.positionals[0], ctx.env) ?? undefined);
  // Both connect to a maintenance database ('postgres' unless --maintenance-db), never PGDATABASE.
  const words: ConnectionWords = { host: last(read, '-h'), port: last(read, '-p'), user: last(read, '-U'), dbname: last(read, '--maintenance-db') ?? 'postgres' };
  const conn = resolveConnection(words, ctx.env);
  const binary = realTool('psql', ctx.env);
  const notes: string[] = [];
  if (!target) notes.push(`the ${tool === 'dropdb' ? 'database' : 'role'} name is only known at run time`);
  if (tool === 'dropdb') {
    return {
      conn,
      name: target,
      fields: { ...baseFields(conn), database: target ?? null },
      request: { tables: [], cascade: [], schemas: [], databases: [], roles: [], overview: !!target },
      // The look goes into the database that would be dropped, to say what is in it.
      ...(binary && target ? { runner: { binary, connArgs: connArgsFor(words, target, ctx.env) } } : {}),
      notes,
    };
  }
  return {
    conn,
    name: target,
    fields: { ...baseFields(conn), role: target ?? null },
    request: { tables: [], cascade: [], schemas: [], databases: [], roles: target ? [target] : [], overview: false },
    ...(binary ? { runner: { binary, connArgs: connArgsFor(words, conn.dbname, ctx.env) } } : {}),
    notes,
  };
};

/** Tables (and the database name) in a pg_restore archive's table of contents, read locally with `pg_restore -l`. */
const archiveContents = async (binary: string, file: string, ctx: ResolveContext, timeoutMs: number): Promise<{ tables: string[]; dbname?: string } | null> => {
  const started = performance.now();
  if (ctx.signal.aborted) return null;
  try {
    const { execa } = await import('./load-execa.js');
    const left = Math.floor(timeoutMs - (performance.now() - started));
    if (ctx.signal.aborted || left <= 0) return null;
    const r = await execa(binary, ['-l', file], {
      cwd: ctx.cwd,
      env: ctx.env,
      extendEnv: false,
      stdin: 'ignore',
      timeout: left,
      cancelSignal: ctx.signal,
      maxBuffer: 8 << 20,
      encoding: 'utf8',
      stripFinalNewline: false,
      reject: false,
    });
    if (r.failed) return null;
    const stdout = r.stdout ?? '';
    const tables: string[] = [];
    for (const line of stdout.split('\n')) {
      const m = /^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) /.exec(line);
      if (m) tables.push(m[1] === 'public' ? m[2]! : `${m[1]}.${m[2]}`);
    }
    const db = /^;\s+dbname:\s+(.+)$/m.exec(stdout)?.[1]?.trim();
    return { tables, ...(db ? { dbname: db } : {}) };
  } catch {
    return null;
  }
};

const pgRestoreShape = async (inv: Invocation, ctx: ResolveContext): Promise<Shape> => {
  const read = readArgs(inv.argv.slice(1), PG_RESTORE, false);
  const words: ConnectionWords = { host: last(read, '-h'), port: last(read, '-p'), user: last(read, '-U'), dbname: last(read, '-d') };
  const conn = resolveConnection(words, ctx.env);
  const create = (read.flags.get('-C') ?? []).length > 0;
  const notes: string[] = [];
  const request: LookupRequest = { tables: [], cascade: [], schemas: [], databases: [], roles: [], overview: false };
  const archive = read.positionals[0];
  const restoreBin = realTool('pg_restore', ctx.env);
  let archiveDb: string | undefined;
  if (!archive) notes.push('the archive comes from stdin: its contents are unknown');
  else if (restoreBin) {
    const toc = await archiveContents(restoreBin, archive, ctx, Math.max(200, ctx.timeoutMs / 3));
    if (!toc) notes.push(`could not read the archive's table of contents (${archive})`);
    else {
      archiveDb = toc.dbname;
      const only = read.flags.get('-t') ?? [];
      const schemas = read.flags.get('-n') ?? [];
      request.tables = toc.tables.filter((t) => (only.length === 0 || only.includes(t.split('.').pop()!)) && (schemas.length === 0 || schemas.includes(t.includes('.') ? t.split('.')[0]! : 'public')));
    }
  }
  if (create) request.databases = archiveDb ? [archiveDb] : [];
  if (create && !archiveDb) notes.push('--create drops the database named in the archive, which could not be read');
  const binary = realTool('psql', ctx.env);
  const dbWord = words.dbname === undefined ? undefined : (expandVars(words.dbname, ctx.env) ?? undefined);
  return {
    conn,
    name: create ? (archiveDb ?? conn.dbname) : conn.dbname,
    fields: { ...baseFields(conn), ...(create ? { 'recreates database': archiveDb ?? null } : {}), ...(archive ? { archive } : {}) },
    request: create ? { ...request, tables: [] } : request,
    ...(binary ? { runner: { binary, connArgs: connArgsFor(words, dbWord, ctx.env) } } : {}),
    notes,
  };
};

/** Turn the server's answers into panel fields and the resources list. */
const describe = (shape: Shape, result: LookupResult, target: Target) => {
  const { request, fields } = shape;
  const names: string[] = [];
  const dataHolding: string[] = [];
  if (request.tables.length) {
    fields.tables = request.tables.map((n) => {
      const t = result.tables.get(n);
      if (!t) return result.problem ? `${n} (unknown: ${result.problem})` : `${n} (not found in ${shape.conn.dbname ?? 'the database'})`;
      names.push(t.qualified);
      if (t.rows > 0) dataHolding.push(t.qualified);
      return `${t.qualified} ${rowsText(t)} (${prettyBytes(t.bytes)})`;
    });
  }
  const dependents = request.cascade.flatMap((n) => result.dependents.get(n) ?? []);
  if (request.cascade.length) fields['cascades to'] = dependents.length ? dependents : ['nothing (no other object depends on them)'];
  if (request.schemas.length) {
    fields.schemas = request.schemas.map((s) => {
      const info = result.schemas.get(s);
      if (!info) return `${s} (not found)`;
      names.push(...info.largest);
      dataHolding.push(...info.largest);
      return `${s}: ${info.tables} tables, ~${info.rows} rows (${prettyBytes(info.bytes)})${info.largest.length ? `, largest ${info.largest.join(', ')}` : ''}`;
    });
  }
  if (request.databases.length) {
    fields['drops database'] = request.databases.map((d) => {
      const info = result.databases.get(d);
      return info ? `${d} (${prettyBytes(info.bytes)}, ${info.connections} other open connection${info.connections === 1 ? '' : 's'})` : `${d} (not found)`;
    });
  }
  for (const r of request.roles) {
    const info = result.roles.get(r);
    fields[`owned by ${r}`] = info ? `${info.ownedTables} tables${info.largest.length ? ` (${info.largest.join(', ')})` : ''}${info.canLogin ? '; can log in' : ''}` : 'role not found';
    if (info) names.push(...info.largest);
  }
  if (result.overview) {
    const o = result.overview;
    fields.size = prettyBytes(o.bytes);
    fields.tables = [`${o.tables} tables, ~${o.rows} rows${o.largest.length ? `; largest ${o.largest.join(', ')}` : ''}`];
    names.push(...o.largest);
    dataHolding.push(...o.largest);
  }
  // `WHERE id IS NOT NULL` on a NOT NULL column is `DELETE FROM t` written another way.
  const everyRow = (request.notNull ?? []).filter((n) => result.notNull.get(notNullKey(n.table, n.columns)) === true);
  if (everyRow.length) {
    const what = everyRow.map((n) => `${n.columns.join(', ')} IS NOT NULL on ${n.table}`).join('; ');
    target.raise = { severity: 'high', reason: `${what}: the column${everyRow[0]!.columns.length > 1 ? 's are' : ' is'} declared NOT NULL, so the condition holds for every row` };
    target.notes = [...(target.notes ?? []), target.raise.reason];
  }
  // pg_temp is searched first unless search_path names it later (a role or database setting can):
  // then `DROP TABLE t` after `CREATE TEMP TABLE t` may find a real table.
  const path = result.searchPath;
  if (request.searchPath && path !== undefined && /pg_temp/i.test(path) && !/^\s*"?pg_temp"?\s*(,|$)/i.test(path)) {
    const reason = `search_path on this server is "${path}": pg_temp is not searched first, so a temporary table's name may reach a real table`;
    if (!target.raise) target.raise = { severity: 'high', reason };
    target.notes = [...(target.notes ?? []), reason];
  }
  const count = request.overview ? (result.overview?.tables ?? 0) : names.length;
  if (names.length || request.overview) target.resources = { count, names, dataHolding };
  if (result.problem) target.notes = [...(target.notes ?? []), `some lookups failed: ${result.problem}`];
};

const QUESTION_FIELDS = (r: LookupRequest): string[] => [
  ...(r.tables.length ? ['tables'] : []),
  ...(r.schemas.length ? ['schemas'] : []),
  ...(r.databases.length ? ['drops database'] : []),
  ...(r.overview ? ['size'] : []),
];

export const resolvePostgres: Resolver = async (inv, matches, ctx) => {
  const tool = matches[0]?.tool ?? basename(inv.argv[0] ?? '');
  let shape: Shape;
  try {
    shape =
      tool === 'dropdb' || tool === 'dropuser' ? dropdbShape(inv, ctx, tool)
      : tool === 'pg-restore' || tool === 'pg_restore' ? await pgRestoreShape(inv, ctx)
      : await psqlShape(inv, ctx);
  } catch (err) {
    return { kind: 'postgres', production: 'unknown', fields: {}, unresolved: ['target'], notes: [`could not read the connection: ${(err as Error).message}`] };
  }
  const { conn, request } = shape;
  const target: Target = {
    kind: 'postgres',
    ...(shape.name ? { name: shape.name } : {}),
    production: shape.name ? false : 'unknown',
    fields: shape.fields,
    notes: [...shape.notes],
  };
  const unresolved = [...conn.unknown];
  if (conn.unknown.length) target.notes!.push(`not known until run time: ${conn.unknown.join(', ')}`);
  if (conn.password) target.notes!.push('a password is configured (not shown)');
  const wanted = QUESTION_FIELDS(request);
  if (hasQuestions(request)) {
    const why = !shape.runner ? 'no psql binary on PATH to look with'
      : conn.unknown.length ? 'where it connects is only known at run time'
      : !isLocalHost(conn.host) && !ctx.network ? `${conn.host} is remote and resolve.network is off`
      : null;
    if (why) {
      unresolved.push(...wanted);
      target.notes!.push(`sizes not looked up: ${why}`);
    } else {
      const answer = await runLookup({ ...shape.runner!, env: ctx.env }, request, { timeoutMs: Math.max(200, ctx.timeoutMs - 300), signal: ctx.signal });
      if ('error' in answer) {
        unresolved.push(...wanted);
        target.notes!.push(`could not ask the server: ${answer.error}`);
      } else describe(shape, answer.result, target);
    }
  }
  if (unresolved.length) target.unresolved = [...new Set(unresolved)];
  if (target.notes!.length === 0) delete target.notes;
  return target;
};
