// GraphQL argument values as plain JS, with `$variables` filled in; what cannot be known stays UNKNOWN.
import type { ArgumentNode, ValueNode, VariableDefinitionNode } from 'graphql/language/ast.js';
import type { ValueTest, WhenClause } from './graphql-mutations.js';

/** A value only known when the request runs (a variable nobody supplied). */
export const UNKNOWN: unique symbol = Symbol('unknown');
export type Value = unknown;

export type Variables = Record<string, unknown> | typeof UNKNOWN;

/** Resolve one AST value; `$x` reads the request's variables, then the operation's default. */
export const valueOf = (node: ValueNode, vars: Variables, defaults: Map<string, ValueNode>): Value => {
  switch (node.kind) {
    case 'Variable': {
      const name = node.name.value;
      if (vars !== UNKNOWN && Object.hasOwn(vars, name)) return vars[name];
      const fallback = defaults.get(name);
      if (fallback) return valueOf(fallback, {}, new Map());
      return vars === UNKNOWN ? UNKNOWN : undefined;
    }
    case 'IntValue':
    case 'FloatValue':
      return Number(node.value);
    case 'StringValue':
    case 'EnumValue':
      return node.value;
    case 'BooleanValue':
      return node.value;
    case 'NullValue':
      return null;
    case 'ListValue':
      return node.values.map((v) => valueOf(v, vars, defaults));
    case 'ObjectValue':
      return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value, vars, defaults)]));
  }
};

export const defaultsOf = (defs: readonly VariableDefinitionNode[] | undefined): Map<string, ValueNode> =>
  new Map((defs ?? []).flatMap((d) => (d.defaultValue ? [[d.variable.name.value, d.defaultValue] as const] : [])));

export const argumentsOf = (args: readonly ArgumentNode[] | undefined, vars: Variables, defaults: Map<string, ValueNode>): Record<string, Value> =>
  Object.fromEntries((args ?? []).map((a) => [a.name.value, valueOf(a.value, vars, defaults)]));

/** Follow `input.serviceId`; UNKNOWN as soon as a step is unknown, undefined when absent. */
export const at = (root: Value, path: string): Value => {
  let v: Value = root;
  for (const step of path.split('.')) {
    if (v === UNKNOWN) return UNKNOWN;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
};

/** Some value anywhere inside is UNKNOWN. */
const hasUnknown = (v: Value): boolean =>
  v === UNKNOWN || (typeof v === 'object' && v !== null && Object.values(v as object).some(hasUnknown));

// Walk an EnvironmentConfig patch: { services: { <id>: { isDeleted, variables, volumeMounts } }, volumes, buckets, sharedVariables }.
const entries = (v: Value): Array<[string, Value]> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Record<string, unknown>) : [];

const deletesResource = (patch: Value): boolean =>
  ['services', 'volumes', 'buckets'].some((section) => entries(at(patch, section)).some(([, r]) => at(r, 'isDeleted') === true));

const removesEntry = (patch: Value): boolean => {
  const nulls = (v: Value) => entries(v).some(([, x]) => x === null);
  if (nulls(at(patch, 'sharedVariables'))) return true;
  return entries(at(patch, 'services')).some(([, s]) => nulls(at(s, 'variables')) || nulls(at(s, 'volumeMounts')));
};

const DELETE_CHANGES = new Set(['resource.delete', 'variable.delete']);
const changesetDeletes = (input: Value): boolean => {
  const changes = at(input, 'changes');
  if (!Array.isArray(changes)) return true; // a change set we cannot read is not known to be harmless
  return changes.some((c) => at(c, 'kind') === UNKNOWN || DELETE_CHANGES.has(String(at(c, 'kind'))));
};

const allRegionsZero = (config: Value): boolean => {
  const regions = entries(config);
  return regions.length > 0 && regions.every(([, r]) => at(r, 'numReplicas') === 0);
};

const TESTS: Record<ValueTest, (v: Value) => boolean> = {
  'patch-deletes-resource': deletesResource,
  'patch-removes-entry': removesEntry,
  'changeset-deletes': changesetDeletes,
  'all-regions-zero': allRegionsZero,
  empty: (v) => v === null || (Array.isArray(v) && v.length === 0),
};

const same = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Does the clause hold for these arguments? 'unknown' when a value it depends on is only known at
 * run time (callers treat that as holding: fail closed).
 */
export const clauseHolds = (clause: WhenClause, args: Record<string, Value>): boolean | 'unknown' => {
  const v = at(args, clause.arg);
  if (v === UNKNOWN) return 'unknown';
  if (clause.equals !== undefined) return v !== undefined && same(v, clause.equals);
  if (clause.oneOf) return clause.oneOf.some((o) => same(v, o));
  if (clause.test) {
    if (TESTS[clause.test](v)) return true;
    return hasUnknown(v) ? 'unknown' : false;
  }
  return false;
};

/** A short printable form of an id value (arrays joined, unknowns named). */
export const printable = (v: Value): string | undefined => {
  if (v === UNKNOWN) return '(a variable not given in the request)';
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => printable(x) ?? '?').join(', ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};
