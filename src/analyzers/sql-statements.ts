// What one parsed PostgreSQL statement destroys: walks the whole parse tree, so CTEs, EXPLAIN ANALYZE,
// PREPARE, COPY (query) and rule/function bodies written in SQL are seen too.
/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree JSON from libpg-query */
import { alwaysTrue, bounded, onlyNotNullTests, type Variables, type WhereContext } from './sql-where.js';

/** One destructive fact about a statement; becomes a Finding once the statement text and origin are known. */
export interface StatementFact {
  kind: string;
  /** Object type, lower case: 'table', 'schema', 'view', 'role', 'large object' … */
  objectType?: string;
  tables?: string[];
  schemas?: string[];
  objects?: string[];
  database?: string;
  columns?: string[];
  constraints?: string[];
  cascade?: boolean;
  inDoBlock?: boolean;
  /** The fact is in the body of this function or procedure: it happens whenever it is called (or its trigger fires). */
  inFunction?: string;
  /** unbounded-write: the WHERE only asks these columns to be non-null (every row, if they are NOT NULL). */
  notNullColumns?: string[];
  note?: string;
}

export interface WalkContext {
  /** Analyze a DO block's body (the caller owns the PL/pgSQL parser). */
  doBlock: (language: string, body: string) => StatementFact[];
  /** Analyze a function or procedure body given as a string (`AS $$ … $$`), knowing its parameter names. */
  routine: (language: string, body: string, params: string[]) => StatementFact[];
  /** Inside a function body: its parameters and variables, each one value per statement. */
  variables?: Variables;
}

const sval = (n: any): string => String(n?.String?.sval ?? n?.sval ?? '');

export const rangeVarName = (rv: any): string =>
  [rv?.catalogname, rv?.schemaname, rv?.relname].filter((p) => typeof p === 'string' && p !== '').join('.');

const typeNameOf = (t: any): string =>
  (t?.names ?? []).map(sval).filter((s: string) => s !== 'pg_catalog').join('.');

/** A DROP target as the user wrote it: `public.orders`, `mood`, `f()`. */
const objectName = (o: any): string => {
  if (o?.List) return (o.List.items ?? []).map((i: any) => (i.TypeName ? typeNameOf(i.TypeName) : sval(i))).join(i2s(o));
  if (o?.String) return sval(o);
  if (o?.TypeName) return typeNameOf(o.TypeName);
  if (o?.ObjectWithArgs) return `${(o.ObjectWithArgs.objname ?? []).map(sval).join('.')}()`;
  if (o?.RoleSpec) return roleName(o.RoleSpec);
  return '?';
};
// A list of two type names is a cast `(a AS b)`; any other list is a dotted name.
const i2s = (o: any): string => ((o.List.items ?? []).every((i: any) => i.TypeName) ? ' AS ' : '.');

const roleName = (r: any): string =>
  r?.roletype === 'ROLESPEC_CSTRING' ? String(r.rolename) : String(r?.roletype ?? '').replace('ROLESPEC_', '').toLowerCase();

const OBJECT_TYPES: Record<string, string> = {
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FOREIGN_SERVER: 'server',
  OBJECT_FDW: 'foreign data wrapper',
  OBJECT_TSCONFIGURATION: 'text search configuration',
  OBJECT_TSDICTIONARY: 'text search dictionary',
};
const objectTypeOf = (removeType: string): string =>
  OBJECT_TYPES[removeType] ?? removeType.replace(/^OBJECT_/, '').replace(/_/g, ' ').toLowerCase();

/** Built-in functions whose call destroys something. */
const DESTRUCTIVE_FUNCTIONS: Record<string, StatementFact> = {
  lo_unlink: { kind: 'drop-object', objectType: 'large object' },
  pg_drop_replication_slot: { kind: 'drop-object', objectType: 'replication slot' },
  pg_replication_origin_drop: { kind: 'drop-object', objectType: 'replication origin' },
  dblink_exec: { kind: 'unknown', note: 'dblink_exec runs SQL on another server' },
  dblink: { kind: 'unknown', note: 'dblink runs SQL on another server (it may change data there)' },
  dblink_send_query: { kind: 'unknown', note: 'dblink_send_query runs SQL on another server' },
};

const cascadeOf = (behavior: unknown) => behavior === 'DROP_CASCADE';

type Handler = (node: any, out: StatementFact[], ctx: WalkContext) => 'stop' | void;

const dropStmt: Handler = (n, out) => {
  const type = String(n.removeType);
  const names = (n.objects ?? []).map(objectName);
  const cascade = cascadeOf(n.behavior);
  if (type === 'OBJECT_TABLE') out.push({ kind: 'drop-table', objectType: 'table', tables: names, cascade });
  else if (type === 'OBJECT_SCHEMA') out.push({ kind: 'drop-schema', objectType: 'schema', schemas: names, cascade });
  // CASCADE on a type, extension, function, sequence, server … also drops the columns and tables using it.
  else out.push({ kind: cascade ? 'drop-cascade' : 'drop-object', objectType: objectTypeOf(type), objects: names, cascade });
};

// A WHERE that is not always true but does not pin rows to fixed values either (`id > 0`, `x IS NOT NULL`,
// a join) may still touch every row: `unbounded-write`, a lower tier than `delete-all` (see rulesets/psql.yaml).
const judgeWhere = (where: unknown, table: string, all: StatementFact, out: StatementFact[], vars?: Variables) => {
  const ctx: WhereContext = { table };
  if (!where || alwaysTrue(where, ctx)) {
    out.push({ ...all, ...(where ? { note: 'WHERE is always true' } : {}) });
    return;
  }
  if (bounded(where, vars)) return;
  const notNullColumns = onlyNotNullTests(where, ctx);
  out.push({ ...all, kind: 'unbounded-write', ...(notNullColumns ? { notNullColumns } : {}), note: `WHERE does not pin the rows to fixed values: it may match every row (${all.kind === 'delete-all' ? 'DELETE' : 'UPDATE'})` });
};

const columnsOf = (targets: any[] | undefined): string[] => (targets ?? []).map((t: any) => String(t.ResTarget?.name ?? '?'));

const deleteStmt: Handler = (n, out, ctx) => {
  const table = rangeVarName(n.relation);
  judgeWhere(n.whereClause, table, { kind: 'delete-all', tables: [table] }, out, ctx.variables);
};

const updateStmt: Handler = (n, out, ctx) => {
  const table = rangeVarName(n.relation);
  judgeWhere(n.whereClause, table, { kind: 'update-all', tables: [table], columns: columnsOf(n.targetList) }, out, ctx.variables);
};

// INSERT … ON CONFLICT DO UPDATE is an UPDATE of every row its query collides with: a VALUES list names
// its rows; a query over the same table collides with all of them; any other query is not bounded.
const insertStmt: Handler = (n, out) => {
  const c = n.onConflictClause;
  if (c?.action !== 'ONCONFLICT_UPDATE') return;
  const sel = n.selectStmt?.SelectStmt;
  if (sel?.valuesLists && !(sel.valuesLists as any[]).some((row) => JSON.stringify(row).includes('"SubLink"'))) return;
  const table = rangeVarName(n.relation);
  const fact: StatementFact = { kind: 'update-all', tables: [table], columns: columnsOf(c.targetList) };
  const sources = JSON.stringify(sel?.fromClause ?? []);
  const sameTable = sources.includes(`"relname":${JSON.stringify(n.relation?.relname)}`);
  if (c.whereClause && !alwaysTrue(c.whereClause, { table })) {
    if (!bounded(c.whereClause)) out.push({ ...fact, kind: 'unbounded-write', note: 'ON CONFLICT DO UPDATE … WHERE may match every row it collides with' });
  } else if (sameTable) out.push({ ...fact, note: 'INSERT … SELECT from the same table ON CONFLICT DO UPDATE rewrites every row' });
  else out.push({ ...fact, kind: 'unbounded-write', note: 'INSERT … SELECT ON CONFLICT DO UPDATE overwrites every row the query collides with' });
};

// MERGE … ON true WHEN MATCHED THEN DELETE touches every row, like a DELETE without WHERE.
const mergeStmt: Handler = (n, out) => {
  if (!alwaysTrue(n.joinCondition)) {
    const changes = (n.mergeWhenClauses ?? []).some((w: any) => w.MergeWhenClause?.matchKind === 'MERGE_WHEN_MATCHED' && ['CMD_DELETE', 'CMD_UPDATE'].includes(w.MergeWhenClause.commandType));
    if (changes) out.push({ kind: 'unbounded-write', tables: [rangeVarName(n.relation)], note: 'MERGE updates or deletes every row its source matches' });
    return;
  }
  for (const w of n.mergeWhenClauses ?? []) {
    const c = w.MergeWhenClause;
    if (c?.matchKind !== 'MERGE_WHEN_MATCHED' || (c.condition && !alwaysTrue(c.condition))) continue;
    if (c.commandType === 'CMD_DELETE') out.push({ kind: 'delete-all', tables: [rangeVarName(n.relation)], note: 'MERGE ON an always-true condition' });
    if (c.commandType === 'CMD_UPDATE') out.push({ kind: 'update-all', tables: [rangeVarName(n.relation)], note: 'MERGE ON an always-true condition' });
  }
};

const alterTableStmt: Handler = (n, out) => {
  const columns: string[] = [];
  const constraints: string[] = [];
  let cascade = false;
  for (const c of n.cmds ?? []) {
    const cmd = c.AlterTableCmd;
    if (cmd?.subtype === 'AT_AlterColumnType') {
      // USING computes every row's new value from any expression: an UPDATE of the whole column.
      const table = rangeVarName(n.relation);
      if (cmd.def?.ColumnDef?.raw_default) out.push({ kind: 'update-all', tables: [table], columns: [String(cmd.name)], note: 'ALTER COLUMN … TYPE … USING rewrites the column in every row' });
      else out.push({ kind: 'alter-type', tables: [table], columns: [String(cmd.name)], note: 'the conversion may round or cut values in every row' });
      continue;
    }
    if (cmd?.subtype === 'AT_DropColumn') columns.push(String(cmd.name));
    else if (cmd?.subtype === 'AT_DropConstraint') constraints.push(String(cmd.name));
    else continue;
    cascade ||= cascadeOf(cmd.behavior);
  }
  if (columns.length + constraints.length === 0) return;
  // A dropped column takes its data from every row; a dropped constraint loses no data.
  out.push({ kind: columns.length ? 'alter-drop' : 'alter-drop-constraint', tables: [rangeVarName(n.relation)], ...(columns.length ? { columns } : {}), ...(constraints.length ? { constraints } : {}), cascade });
};

const grantStmt: Handler = (n, out) => {
  if (n.is_grant) return;
  if (!(n.grantees ?? []).some((g: any) => g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC')) return;
  out.push({ kind: 'revoke-public', objectType: String(n.objtype ?? '').replace(/^OBJECT_/, '').toLowerCase(), objects: (n.objects ?? []).map((o: any) => (o.RangeVar ? rangeVarName(o.RangeVar) : objectName(o))) });
};

const doStmt: Handler = (n, out, ctx) => {
  let language = 'plpgsql';
  let body = '';
  for (const a of n.args ?? []) {
    if (a.DefElem?.defname === 'language') language = sval(a.DefElem.arg).toLowerCase();
    if (a.DefElem?.defname === 'as') body = sval(a.DefElem.arg);
  }
  out.push(...ctx.doBlock(language, body).map((f) => ({ ...f, inDoBlock: true })));
};

// CREATE FUNCTION/PROCEDURE … AS $$ … $$: what the body destroys happens whenever it is called or its
// trigger fires, so it is reported when it is created. Bodies written as BEGIN ATOMIC are walked as SQL.
const createFunctionStmt: Handler = (n, out, ctx) => {
  let language = n.sql_body ? 'sql' : '';
  let body: string | undefined;
  for (const o of n.options ?? []) {
    if (o.DefElem?.defname === 'language') language = sval(o.DefElem.arg).toLowerCase();
    if (o.DefElem?.defname === 'as') {
      const items = o.DefElem.arg?.List?.items ?? [o.DefElem.arg];
      body = items.length === 1 ? sval(items[0]) : undefined; // two items: a C library and symbol
    }
  }
  const name = `${(n.funcname ?? []).map(sval).join('.')}()`;
  if (n.sql_body) return; // walked by visit like any statement
  const params = (n.parameters ?? []).map((p: any) => String(p.FunctionParameter?.name ?? '')).filter(Boolean);
  const facts = body === undefined ? [{ kind: 'unknown', note: `its ${language || 'compiled'} body is not analyzed` }] : ctx.routine(language, body, params);
  out.push(...facts.map((f) => ({ ...f, inFunction: f.inFunction ?? name })));
  return 'stop';
};

const explainStmt: Handler = (n) => {
  // Plain EXPLAIN only plans; EXPLAIN ANALYZE runs the statement.
  const analyze = (n.options ?? []).some((o: any) => o.DefElem?.defname === 'analyze' && !/^(false|off|0)$/i.test(sval(o.DefElem.arg) || 'true'));
  return analyze ? undefined : 'stop';
};

const funcCall: Handler = (n, out) => {
  const name = sval(n.funcname?.[n.funcname.length - 1]).toLowerCase();
  const fact = DESTRUCTIVE_FUNCTIONS[name];
  if (fact) out.push({ ...fact, objects: [`${name}()`] });
};

const HANDLERS: Record<string, Handler> = {
  DropStmt: dropStmt,
  DropdbStmt: (n, out) => void out.push({ kind: 'drop-database', objectType: 'database', database: String(n.dbname) }),
  DropOwnedStmt: (n, out) => void out.push({ kind: 'drop-owned', objects: (n.roles ?? []).map((r: any) => roleName(r.RoleSpec)), cascade: cascadeOf(n.behavior) }),
  DropRoleStmt: (n, out) => void out.push({ kind: 'drop-role', objectType: 'role', objects: (n.roles ?? []).map((r: any) => roleName(r.RoleSpec)) }),
  DropTableSpaceStmt: (n, out) => void out.push({ kind: 'drop-object', objectType: 'tablespace', objects: [String(n.tablespacename)] }),
  DropSubscriptionStmt: (n, out) => void out.push({ kind: 'drop-object', objectType: 'subscription', objects: [String(n.subname)] }),
  TruncateStmt: (n, out) => void out.push({ kind: 'truncate', tables: (n.relations ?? []).map((r: any) => rangeVarName(r.RangeVar)), cascade: cascadeOf(n.behavior) }),
  DeleteStmt: deleteStmt,
  UpdateStmt: updateStmt,
  InsertStmt: insertStmt,
  CreateFunctionStmt: createFunctionStmt,
  MergeStmt: mergeStmt,
  AlterTableStmt: alterTableStmt,
  GrantStmt: grantStmt,
  DoStmt: doStmt,
  CopyStmt: (n, out) => void (n.is_program && out.push({ kind: 'copy-program', note: `runs \`${String(n.filename)}\` on the database server` })),
  ExplainStmt: explainStmt,
  FuncCall: funcCall,
};

const visit = (value: unknown, out: StatementFact[], ctx: WalkContext): void => {
  if (Array.isArray(value)) {
    for (const v of value) visit(v, out, ctx);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    const handler = Object.hasOwn(HANDLERS, key) ? HANDLERS[key] : undefined;
    if (handler && handler(inner, out, ctx) === 'stop') continue;
    visit(inner, out, ctx);
  }
};

/** Every destructive fact in one statement's parse tree (empty for SELECT, INSERT, CREATE …). */
export const statementFacts = (stmt: unknown, ctx: WalkContext): StatementFact[] => {
  const out: StatementFact[] = [];
  visit(stmt, out, ctx);
  return out;
};
