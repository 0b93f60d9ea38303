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

const fold = (node: any): Folded => {
  if (!node || typeof node !== 'object') return UNKNOWN;
  if (node.A_Const) return constOf(node.A_Const);
  if (node.TypeCast) return castTo(fold(node.TypeCast.arg), lastName(node.TypeCast.typeName?.names));
  if (node.BoolExpr) {
    const vals = (node.BoolExpr.args ?? []).map(fold) as Folded[];
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
    if (e.kind === 'AEXPR_OP' && e.name?.length === 1) return compare(String(e.name[0].String?.sval), fold(e.lexpr), fold(e.rexpr));
    if (e.kind === 'AEXPR_IN' && Array.isArray(e.rexpr)) {
      const left = fold(e.lexpr);
      const found = e.rexpr.map((r: any) => compare('=', left, fold(r)));
      const any = found.includes(true);
      const positive = String(e.name?.[0]?.String?.sval) === '=';
      if (any) return positive;
      return found.every((f: Folded) => f === false) ? !positive : UNKNOWN;
    }
    return UNKNOWN;
  }
  if (node.NullTest) {
    const v = fold(node.NullTest.arg);
    if (v === UNKNOWN) return UNKNOWN;
    return node.NullTest.nulltesttype === 'IS_NULL' ? v === null : v !== null;
  }
  if (node.BooleanTest) {
    const v = toBool(fold(node.BooleanTest.arg));
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

/** True when the condition holds for every row (`true`, `1=1`, `'a'='a'`, `x OR true`, `id = id` …). */
export const alwaysTrue = (where: unknown): boolean => toBool(fold(where)) === true;
