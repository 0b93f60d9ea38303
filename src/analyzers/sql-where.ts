// Is a WHERE clause always true? Constant folding over the PostgreSQL parse tree, three-valued like SQL.
/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree JSON from libpg-query */

type Value = boolean | number | string | null;
const UNKNOWN = Symbol('unknown');
type Folded = Value | typeof UNKNOWN;

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', 'off', '0']);

const toBool = (v: Folded): Folded => {
  if (v === UNKNOWN || v === null || typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  return TRUE_WORDS.has(s) ? true : FALSE_WORDS.has(s) ? false : UNKNOWN;
};

const lastName = (names: any[] | undefined): string => String(names?.[names.length - 1]?.String?.sval ?? '').toLowerCase();

const constOf = (c: any): Folded => {
  if (c.isnull) return null;
  if ('boolval' in c) return !!c.boolval?.boolval;
  if ('ival' in c) return Number(c.ival?.ival ?? 0);
  if ('fval' in c) return Number(c.fval?.fval);
  if ('sval' in c) return String(c.sval?.sval ?? '');
  return UNKNOWN;
};

const castTo = (v: Folded, type: string): Folded => {
  if (v === UNKNOWN || v === null) return v;
  if (type === 'bool' || type === 'boolean') return toBool(v);
  if (/^(int[248]?|integer|smallint|bigint|numeric|float[48]|real|double precision|decimal)$/.test(type)) {
    const n = Number(v);
    return Number.isNaN(n) ? UNKNOWN : n;
  }
  if (/^(text|varchar|bpchar|char|name)$/.test(type)) return String(v);
  return UNKNOWN;
};

const compare = (op: string, a: Folded, b: Folded): Folded => {
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  if (a === null || b === null) return null;
  let x: boolean | number | string = a;
  let y: boolean | number | string = b;
  if (typeof x !== typeof y) {
    // PostgreSQL resolves an untyped literal to the other side's type.
    if (typeof x === 'boolean' || typeof y === 'boolean') {
      const bx = toBool(x);
      const by = toBool(y);
      if (bx === UNKNOWN || by === UNKNOWN || bx === null || by === null) return UNKNOWN;
      [x, y] = [bx, by];
    } else {
      [x, y] = [Number(x), Number(y)];
      if (Number.isNaN(x) || Number.isNaN(y)) return UNKNOWN;
    }
  }
  switch (op) {
    case '=': return x === y;
    case '<>':
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
    case '+': return typeof x === 'number' && typeof y === 'number' ? x + y : UNKNOWN;
    case '-': return typeof x === 'number' && typeof y === 'number' ? x - y : UNKNOWN;
    case '*': return typeof x === 'number' && typeof y === 'number' ? x * y : UNKNOWN;
    default: return UNKNOWN;
  }
};

const withoutLocations = (node: unknown): string => JSON.stringify(node, (k, v) => (k === 'location' ? undefined : v));

/** `col = col`, `col LIKE '%'`: true for every row where the column is not null. */
const trueForEveryRow = (e: any): boolean => {
  const op = String(e.name?.[0]?.String?.sval ?? '');
  if (e.kind === 'AEXPR_OP' && ['=', '<=', '>='].includes(op) && e.lexpr?.ColumnRef && e.rexpr?.ColumnRef) {
    return withoutLocations(e.lexpr) === withoutLocations(e.rexpr);
  }
  if ((e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE') && (op === '~~' || op === '~~*')) {
    const pattern = e.rexpr?.A_Const ? constOf(e.rexpr.A_Const) : UNKNOWN;
    return typeof pattern === 'string' && /^%+$/.test(pattern);
  }
  return false;
};

/** The table a DELETE/UPDATE works on: a subquery over it with no filter sees every row (`id IN (SELECT id FROM t)`). */
export interface WhereContext {
  table?: string;
}

// `~` and friends between two constants, for patterns whose meaning is the same in POSIX and JS regexes.
const SAFE_REGEX = /^[A-Za-z0-9 _.^$*+?|()-]*$/;
const regexMatch = (op: string, text: Folded, pattern: Folded): Folded => {
  if (text === UNKNOWN || pattern === UNKNOWN) return UNKNOWN;
  if (text === null || pattern === null) return null;
  if (!SAFE_REGEX.test(String(pattern))) return UNKNOWN;
  let found: boolean;
  try {
    found = new RegExp(String(pattern), op.endsWith('*') ? 'i' : '').test(String(text));
  } catch {
    return UNKNOWN; // `(` alone: PostgreSQL rejects it too
  }
  return op.startsWith('!') ? !found : found;
};
const REGEX_OPS = new Set(['~', '~*', '!~', '!~*']);

const relName = (rv: any): string => [rv?.schemaname, rv?.relname].filter(Boolean).join('.');

/** A SELECT with no filter at all: no WHERE (or an always-true one), no HAVING, LIMIT, OFFSET, set operation. */
const unfiltered = (sel: any, ctx: WhereContext): boolean =>
  !!sel && sel.op === 'SETOP_NONE' && !sel.havingClause && !sel.limitCount && !sel.limitOffset && !sel.groupClause &&
  (!sel.whereClause || toBool(fold(sel.whereClause, ctx)) === true);

/** The only relation a SELECT reads, if it reads exactly one plain table. */
const onlyTable = (sel: any): string | undefined => {
  const from = sel?.fromClause ?? [];
  return from.length === 1 && from[0]?.RangeVar ? relName(from[0].RangeVar) : undefined;
};

const sublink = (s: any, ctx: WhereContext): Folded => {
  const sel = s.subselect?.SelectStmt;
  if (!unfiltered(sel, ctx)) return UNKNOWN;
  const from = sel.fromClause ?? [];
  switch (s.subLinkType) {
    case 'EXPR_SUBLINK':
      // `(SELECT true)`: one row, one constant.
      return from.length === 0 && sel.targetList?.length === 1 ? fold(sel.targetList[0].ResTarget?.val, ctx) : UNKNOWN;
    case 'EXISTS_SUBLINK':
      // `EXISTS (SELECT 1)`; or over the statement's own table, which holds at least the row being judged.
      return from.length === 0 || (ctx.table !== undefined && onlyTable(sel) === ctx.table) ? true : UNKNOWN;
    case 'ANY_SUBLINK': {
      // `id IN (SELECT id FROM t)` inside `DELETE FROM t`: every row whose id is not null.
      const col = s.testexpr?.ColumnRef;
      const out = sel.targetList?.length === 1 ? sel.targetList[0].ResTarget?.val?.ColumnRef : undefined;
      const sameColumn = col && out && lastField(col) === lastField(out);
      const op = String(s.operName?.[0]?.String?.sval ?? '=');
      return sameColumn && op === '=' && ctx.table !== undefined && onlyTable(sel) === ctx.table ? true : UNKNOWN;
    }
  }
  return UNKNOWN;
};

/** The items of `x IN (a, b)` (a JSON List in libpg-query 18, a bare array before). */
const inList = (rexpr: any): any[] | undefined => (Array.isArray(rexpr) ? rexpr : Array.isArray(rexpr?.List?.items) ? rexpr.List.items : undefined);

const lastField = (c: any): string => String(c?.fields?.[c.fields.length - 1]?.String?.sval ?? '');

const fold = (node: any, ctx: WhereContext = {}): Folded => {
  if (!node || typeof node !== 'object') return UNKNOWN;
  if (node.CoalesceExpr) {
    for (const a of node.CoalesceExpr.args ?? []) {
      const v = fold(a, ctx);
      if (v !== null) return v;
    }
    return null;
  }
  if (node.SubLink) return sublink(node.SubLink, ctx);
  if (node.A_Const) return constOf(node.A_Const);
  if (node.TypeCast) return castTo(fold(node.TypeCast.arg, ctx), lastName(node.TypeCast.typeName?.names));
  if (node.BoolExpr) {
    const vals = (node.BoolExpr.args ?? []).map((a: any) => fold(a, ctx)) as Folded[];
    switch (node.BoolExpr.boolop) {
      case 'NOT_EXPR': {
        const v = toBool(vals[0] ?? UNKNOWN);
        return v === UNKNOWN || v === null ? v : !v;
      }
      case 'AND_EXPR':
        if (vals.some((v) => toBool(v) === false)) return false;
        if (vals.some((v) => toBool(v) === UNKNOWN)) return UNKNOWN;
        return vals.some((v) => v === null) ? null : true;
      case 'OR_EXPR':
        if (vals.some((v) => toBool(v) === true)) return true;
        if (vals.some((v) => toBool(v) === UNKNOWN)) return UNKNOWN;
        return vals.some((v) => v === null) ? null : false;
    }
    return UNKNOWN;
  }
  if (node.A_Expr) {
    const e = node.A_Expr;
    if (trueForEveryRow(e)) return true;
    const op = String(e.name?.[0]?.String?.sval ?? '');
    if (e.kind === 'AEXPR_OP' && e.name?.length === 1 && REGEX_OPS.has(op)) return regexMatch(op, fold(e.lexpr, ctx), fold(e.rexpr, ctx));
    if (e.kind === 'AEXPR_OP' && e.name?.length === 1) return compare(op, fold(e.lexpr, ctx), fold(e.rexpr, ctx));
    const list = inList(e.rexpr);
    if (e.kind === 'AEXPR_IN' && list) {
      const left = fold(e.lexpr, ctx);
      const found = list.map((r: any) => compare('=', left, fold(r, ctx)));
      const any = found.includes(true);
      const positive = String(e.name?.[0]?.String?.sval) === '=';
      if (any) return positive;
      return found.every((f: Folded) => f === false) ? !positive : UNKNOWN;
    }
    return UNKNOWN;
  }
  if (node.NullTest) {
    const v = fold(node.NullTest.arg, ctx);
    if (v === UNKNOWN) return UNKNOWN;
    return node.NullTest.nulltesttype === 'IS_NULL' ? v === null : v !== null;
  }
  if (node.BooleanTest) {
    const v = toBool(fold(node.BooleanTest.arg, ctx));
    if (v === UNKNOWN) return UNKNOWN;
    switch (node.BooleanTest.booltesttype) {
      case 'IS_TRUE': return v === true;
      case 'IS_NOT_TRUE': return v !== true;
      case 'IS_FALSE': return v === false;
      case 'IS_NOT_FALSE': return v !== false;
      case 'IS_UNKNOWN': return v === null;
      case 'IS_NOT_UNKNOWN': return v !== null;
    }
  }
  return UNKNOWN;
};

/** True when the condition holds for every row (`true`, `1=1`, `'a'='a'`, `x OR true`, `id = id`, `EXISTS (SELECT 1)` …). */
export const alwaysTrue = (where: unknown, ctx: WhereContext = {}): boolean => toBool(fold(where, ctx)) === true;

const conjuncts = (where: any): any[] => (where?.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args.flatMap(conjuncts) : [where]);

/** Names that hold one value while the statement runs: a function's parameters and PL/pgSQL variables. */
export type Variables = ReadonlySet<string>;
const NO_VARIABLES: Variables = new Set();

const isVariable = (n: any, vars: Variables): boolean => {
  const f = n?.ColumnRef?.fields;
  // `v`, or a field of a record variable (`r.id`, a trigger's `old.id`).
  return Array.isArray(f) && (f.length === 1 || f.length === 2) && vars.has(String(f[0]?.String?.sval ?? '').toLowerCase());
};

// A value the statement fixes before it runs: a constant, a parameter ($1 or a named one), a cast of one,
// a one-value subquery.
const fixedValue = (n: any, vars: Variables = NO_VARIABLES): boolean =>
  !!n && (!!n.A_Const || !!n.ParamRef || isVariable(n, vars) || (!!n.TypeCast && fixedValue(n.TypeCast.arg, vars)) || n.SubLink?.subLinkType === 'EXPR_SUBLINK' ||
    (!!n.A_ArrayExpr && (n.A_ArrayExpr.elements ?? []).every((x: any) => fixedValue(x, vars))));

const pins = (e: any, vars: Variables): boolean => {
  if (e?.CurrentOfExpr) return true; // WHERE CURRENT OF cursor: one row
  if (e?.BoolExpr?.boolop === 'OR_EXPR') return e.BoolExpr.args.every((x: any) => pins(x, vars));
  if (e?.BoolExpr?.boolop === 'AND_EXPR') return e.BoolExpr.args.some((x: any) => pins(x, vars));
  const a = e?.A_Expr;
  if (!a) return false;
  const op = String(a.name?.[0]?.String?.sval ?? '');
  const sides: Array<[any, any]> = [[a.lexpr, a.rexpr], [a.rexpr, a.lexpr]];
  const column = (c: any) => !!c?.ColumnRef && !isVariable(c, vars);
  if (a.kind === 'AEXPR_OP' && op === '=') return sides.some(([c, v]) => column(c) && fixedValue(v, vars));
  if (a.kind === 'AEXPR_IN' && op === '=') return column(a.lexpr) && !!inList(a.rexpr)?.every((x: any) => fixedValue(x, vars));
  if (a.kind === 'AEXPR_OP_ANY' && op === '=') return column(a.lexpr) && fixedValue(a.rexpr, vars);
  return false;
};

/**
 * Provably bounded: the condition pins some column to values fixed before the statement runs (`id = 5`,
 * `id IN (1, 2)`, `id = $1`, `id = ANY($1)`, `WHERE CURRENT OF c`). Ranges (`id > 0`), `IS [NOT] NULL`,
 * LIKE, joins and functions are not: they may select every row.
 */
export const bounded = (where: unknown, vars: Variables = NO_VARIABLES): boolean => !!where && (pins(where, vars) || [false, null].includes(toBool(fold(where)) as boolean | null));

/**
 * Columns the condition only requires to be non-null (`id IS NOT NULL AND true`): the statement touches
 * every row when they are declared NOT NULL — the resolver asks the server. Undefined for any other shape.
 */
export const onlyNotNullTests = (where: unknown, ctx: WhereContext = {}): string[] | undefined => {
  const cols: string[] = [];
  for (const c of conjuncts(where)) {
    const t = c?.NullTest;
    if (t?.nulltesttype === 'IS_NOT_NULL' && t.arg?.ColumnRef) cols.push(lastField(t.arg.ColumnRef));
    else if (!alwaysTrue(c, ctx)) return undefined;
  }
  return cols.length ? cols : undefined;
};
