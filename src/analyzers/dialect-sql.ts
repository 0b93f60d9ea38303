// SQL of other dialects (MySQL/MariaDB for `mysql -e`, SQLite for `sqlite3`), parsed with node-sql-parser's
// per-dialect grammar and judged with the PostgreSQL analyzer's vocabulary of finding kinds (src/analyzers/sql.ts):
// drop-database, drop-table, drop-object, drop-role, truncate, delete-all, update-all, alter-drop,
// alter-drop-constraint, unbounded-write (a WHERE that does not pin rows to fixed values), meta-hidden (a client command that runs a shell or hides SQL), unknown.
// The parser (≈ 0.27 MB of JS for one dialect) loads only when a payload holds a destructive keyword.
import { dirname, resolve } from 'node:path';
import { PayloadReader } from '../payload/reader.js';
import type { Finding } from '../types.js';
import type { Analyzer, Payload } from './types.js';

export type Dialect = 'mysql' | 'sqlite';

/** Sound prefilter: none of these anywhere → no statement below can be present. */
const KEYWORDS = /drop|truncate|delete|update|alter|call|prepare|execute|source|system|delimiter|restore|shell|read|\\[.!]|\$|\{\}/i;

const MAX_DEPTH = 4;

type Ast = Record<string, unknown> & { type?: string };
type ParserModule = { Parser: new () => { astify: (sql: string, opt: { database: string }) => Ast | Ast[] } };

const parsers: Partial<Record<Dialect, Promise<ParserModule>>> = {};
const loadParser = (dialect: Dialect): Promise<ParserModule> =>
  (parsers[dialect] ??= (dialect === 'mysql' ? import('node-sql-parser/build/mysql.js') : import('node-sql-parser/build/sqlite.js')) as unknown as Promise<ParserModule>);

const PARSER_DATABASE: Record<Dialect, string> = { mysql: 'MySQL', sqlite: 'SQLite' };

/** Client commands at the start of a line: mysql's `source`/`\.`/`system`/`\!`/`delimiter`, sqlite3's dot commands. */
const CLIENT_COMMAND: Record<Dialect, RegExp> = {
  mysql: /^\s*(source|\\\.|system|\\!|delimiter)(?:\s+(.*))?$/i,
  sqlite: /^\s*\.(\w+)(?:\s+(.*))?$/,
};

const literalTruth = (e: Ast | null | undefined): boolean => {
  if (!e) return false;
  if (e.type === 'bool') return e.value === true;
  if (e.type === 'number') return Number(e.value) !== 0;
  if (e.type === 'binary_expr') {
    const l = e.left as Ast;
    const r = e.right as Ast;
    const op = String(e.operator).toUpperCase();
    if (op === 'OR') return literalTruth(l) || literalTruth(r);
    if (op === 'AND') return literalTruth(l) && literalTruth(r);
    const lit = (x: Ast) => ['number', 'single_quote_string', 'string', 'bool'].includes(String(x?.type));
    if ((op === '=' || op === 'LIKE') && lit(l) && lit(r) && String(l.value) === String(r.value)) return true;
    if (op === '=' && l?.type === 'column_ref' && r?.type === 'column_ref' && JSON.stringify(l) === JSON.stringify(r)) return true;
    if (op === 'LIKE' && r?.type === 'single_quote_string' && r.value === '%') return true;
  }
  return false;
};

/** A WHERE that pins a column to fixed values (`id = 5`, `id IN (1, 2)`, either side of an AND). */
const pinned = (e: Ast | null | undefined): boolean => {
  if (!e) return false;
  const op = String(e.operator ?? '').toUpperCase();
  const l = e.left as Ast;
  const r = e.right as Ast;
  const fixed = (x: Ast) => ['number', 'single_quote_string', 'double_quote_string', 'string', 'bool', 'param', 'var'].includes(String(x?.type)) || (x?.type === 'expr_list' && Array.isArray(x.value) && (x.value as Ast[]).every(fixed));
  if (e.type !== 'binary_expr') return false;
  if (op === 'AND') return pinned(l) || pinned(r);
  if (op === 'OR') return pinned(l) && pinned(r);
  if (op === '=' || op === 'IN' || op === '<=>') return (l?.type === 'column_ref' && fixed(r)) || (r?.type === 'column_ref' && fixed(l));
  return false;
};

const tablesOf = (ast: Ast): string => {
  const list = (ast.table ?? ast.name ?? []) as unknown;
  const names = (Array.isArray(list) ? list : [list]).flat().map((t) => (typeof t === 'string' ? t : ((t as Ast)?.table as string) ?? '')).filter(Boolean);
  return names.join(', ') || '(unnamed)';
};

const judgeStatement = (ast: Ast, origin: string): Finding[] => {
  const found = (kind: string, detail: string): Finding[] => [{ kind, detail, details: { origin, statement: detail } }];
  const type = String(ast.type ?? '').toLowerCase();
  switch (type) {
    case 'drop': {
      const keyword = String(ast.keyword ?? '').toLowerCase();
      const name = typeof ast.name === 'string' ? ast.name : tablesOf(ast);
      if (keyword === 'database' || keyword === 'schema') return found('drop-database', `drops database ${name} with every table in it`);
      if (keyword === 'table') return found('drop-table', `drops table ${name} with all its rows`);
      if (keyword === 'user' || keyword === 'role') return found('drop-role', `drops ${keyword} ${name}`);
      return found('drop-object', `drops ${keyword || 'an object'} ${name}`);
    }
    case 'truncate':
      return found('truncate', `empties table ${tablesOf(ast)}`);
    case 'delete':
      if (!ast.where || literalTruth(ast.where as Ast)) return found('delete-all', `deletes every row of ${tablesOf(ast)}`);
      return pinned(ast.where as Ast) ? [] : found('unbounded-write', `deletes rows of ${tablesOf(ast)} with a condition that may match every row`);
    case 'update':
      if (!ast.where || literalTruth(ast.where as Ast)) return found('update-all', `changes every row of ${tablesOf(ast)}`);
      return pinned(ast.where as Ast) ? [] : found('unbounded-write', `changes rows of ${tablesOf(ast)} with a condition that may match every row`);
    case 'alter': {
      const actions = (ast.expr ?? []) as Ast[];
      const drops = actions.filter((a) => String(a.action).toLowerCase() === 'drop');
      if (drops.some((a) => ['column', 'partition', undefined].includes(a.resource as string | undefined))) return found('alter-drop', `drops columns or partitions of ${tablesOf(ast)} (their data in every row)`);
      return drops.length ? found('alter-drop-constraint', `drops a constraint or index of ${tablesOf(ast)}`) : [];
    }
    case 'call':
      return found('unknown', 'calls a stored procedure whose statements the gate cannot see');
    case 'prepare':
    case 'execute':
      return found('unknown', 'runs SQL built at run time (PREPARE/EXECUTE)');
    default:
      return [];
  }
};

/** Client commands are judged and removed; what remains is SQL for the parser. */
const clientCommands = async (text: string, dialect: Dialect, origin: string, cwd: string, depth: number, reader: PayloadReader): Promise<{ sql: string; findings: Finding[] }> => {
  const findings: Finding[] = [];
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const m = CLIENT_COMMAND[dialect].exec(line);
    if (!m) {
      kept.push(line);
      continue;
    }
    const command = m[1]!.toLowerCase();
    const arg = (m[2] ?? '').trim();
    const hidden = (detail: string) => findings.push({ kind: 'meta-hidden', detail, details: { origin, statement: line.trim() } });
    if (['source', '\\.', 'read'].includes(command)) {
      if (depth >= MAX_DEPTH) hidden(`${line.trim()}: scripts nested too deep`);
      else {
        const file = reader.file(arg.replace(/^['"]|['"]$/g, ''), cwd);
        if (file.text === null) hidden(`${line.trim()}: ${file.problem}`);
        else findings.push(...(await judgeDialectSql(file.text, dialect, `${origin} → ${arg}`, dirname(resolve(cwd, arg)), depth + 1, reader)));
      }
    } else if (['system', '\\!', 'shell'].includes(command)) hidden(`runs a shell command: ${line.trim()}`);
    else if (command === 'delimiter') findings.push({ kind: 'unknown', detail: 'DELIMITER changes where statements end; the script cannot be split safely', details: { origin } });
    else if (command === 'restore') findings.push({ kind: 'drop-database', detail: `overwrites the database from a backup file (${line.trim()})`, details: { origin } });
  }
  return { sql: kept.join('\n'), findings };
};

export const judgeDialectSql = async (text: string, dialect: Dialect, origin: string, cwd: string, depth = 0, reader = new PayloadReader()): Promise<Finding[]> => {
  if (!KEYWORDS.test(text)) return [];
  const { sql, findings } = await clientCommands(text, dialect, origin, cwd, depth, reader);
  if (/\$[A-Za-z_{(]|\{\}/.test(sql)) {
    findings.push({ kind: 'unknown', detail: 'SQL holding a shell word only known at run time', details: { origin } });
  }
  if (sql.trim() === '') return findings;
  const { Parser } = await loadParser(dialect);
  const parse = (text: string): Ast[] => {
    const out = new Parser().astify(text, { database: PARSER_DATABASE[dialect] });
    return Array.isArray(out) ? out : [out];
  };
  let asts: Ast[];
  try {
    asts = parse(sql);
  } catch (err) {
    // The grammar misses backquoted names in a few places (DROP DATABASE `x`); plain names mean the same.
    const unquoted = sql.replace(/`(\w+)`/g, '$1');
    try {
      if (unquoted === sql) throw err;
      asts = parse(unquoted);
    } catch {
      return [...findings, { kind: 'unknown', detail: `SQL the ${dialect} parser cannot read (${(err as Error).message.split('\n')[0]!.slice(0, 120)})`, details: { origin } }];
    }
  }
  return [...findings, ...asts.flatMap((a) => judgeStatement(a, origin))];
};

/** An analyzer for one dialect; `skipFirstPositional` for sqlite3, whose first positional is the database file. */
export const dialectAnalyzer = (dialect: Dialect, skipFirstPositional: boolean): Analyzer => async (payloads, ctx) => {
  const findings: Finding[] = [];
  let positionals = payloads.filter((p) => p.origin === 'argument');
  if (skipFirstPositional) positionals = positionals.slice(1);
  const sources: Payload[] = [...payloads.filter((p) => p.origin !== 'argument'), ...(positionals.length ? [{ text: positionals.map((p) => p.text ?? '').join(' '), origin: 'arguments' }] : [])];
  for (const p of sources) {
    if (p.text === null) findings.push({ kind: 'unknown', detail: p.problem ?? `${p.origin} cannot be read`, details: { origin: p.origin } });
    else findings.push(...(await judgeDialectSql(p.text, dialect, p.origin, ctx.cwd, 0, ctx.reader ?? new PayloadReader())));
  }
  return findings;
};

export const analyzeMysql: Analyzer = dialectAnalyzer('mysql', false);
export const analyzeSqlite: Analyzer = dialectAnalyzer('sqlite', true);
