// GraphQL analyzer: parses request documents with the `graphql` package's parser and reports mutations
// whose fields destroy (table in graphql-mutations.ts), with the ids their arguments name.
import type { DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode, FieldNode } from 'graphql/language/ast.js';
import type { Finding } from '../types.js';
import type { Analyzer } from './types.js';
import { effectOf, type FieldEffect, type WhenClause } from './graphql-mutations.js';
import { requestsOf, type GraphqlRequest } from './graphql-requests.js';
import { argumentsOf, at, clauseHolds, defaultsOf, printable, type Value } from './graphql-values.js';

type Parse = (source: string, options?: { noLocation?: boolean }) => DocumentNode;
let parser: Promise<Parse> | undefined;
/** The parser module only (not the whole `graphql` package), loaded on the first document that needs it. */
const loadParser = (): Promise<Parse> => (parser ??= import('./graphql-parser.js').then((m) => m.parse as Parse));

const unknown = (detail: string): Finding => ({ kind: 'unknown', detail });

/** Top-level fields of a selection set, through inline fragments and fragment spreads. */
const topFields = (set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, problems: string[], seen = new Set<string>()): FieldNode[] =>
  set.selections.flatMap((s): FieldNode[] => {
    if (s.kind === 'Field') return [s];
    if (s.kind === 'InlineFragment') return topFields(s.selectionSet, fragments, problems, seen);
    const name = s.name.value;
    const fragment = fragments.get(name);
    if (!fragment) {
      problems.push(`fragment ${name} is not defined in the document`);
      return [];
    }
    if (seen.has(name)) return [];
    return topFields(fragment.selectionSet, fragments, problems, new Set([...seen, name]));
  });

/** The clause that makes a conditional mutation destructive: one that holds, else one that might. */
const firing = (effect: FieldEffect, args: Record<string, Value>): { clause?: WhenClause; uncertain: boolean } | null => {
  if (!effect.when) return { uncertain: false };
  let maybe: WhenClause | undefined;
  for (const clause of effect.when) {
    const holds = clauseHolds(clause, args);
    if (holds === true) return { clause, uncertain: false };
    if (holds === 'unknown') maybe ??= clause;
  }
  return maybe ? { clause: maybe, uncertain: true } : null;
};

const findingFor = (field: FieldNode, effect: FieldEffect, args: Record<string, Value>, fire: { clause?: WhenClause; uncertain: boolean }): Finding => {
  const name = field.name.value;
  const ids: Record<string, string> = {};
  for (const [key, path] of Object.entries(effect.ids ?? {})) {
    const v = printable(at(args, path));
    if (v !== undefined) ids[key] = v;
  }
  let does = (fire.clause?.does ?? effect.does).replace(/\{(\w+)\}/g, (_, key: string) => ids[key] ?? '(not given)');
  for (const [path, words] of Object.entries(effect.ifAbsent ?? {})) if (at(args, path) === undefined) does += ` ${words}`;
  if (fire.uncertain) does += ' (if a value not in the request says so)';
  const alias = field.alias ? `${field.alias.value}: ` : '';
  return {
    kind: fire.clause?.kind ?? effect.kind,
    detail: `${alias}${name} ${does}`,
    details: { mutation: name, ...ids, ...(effect.backups ? { backups: true } : {}) },
  };
};

/** Operations the server would run: the one `operationName` names, or every one (fail closed). */
const selected = (doc: DocumentNode, name: string | undefined): OperationDefinitionNode[] => {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const named = name === undefined ? [] : ops.filter((o) => o.name?.value === name);
  return named.length > 0 ? named : ops;
};

const analyzeDocument = (doc: DocumentNode, req: GraphqlRequest): Finding[] => {
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  const out: Finding[] = [];
  for (const op of selected(doc, req.operationName)) {
    if (op.operation !== 'mutation') continue;
    const defaults = defaultsOf(op.variableDefinitions);
    const problems: string[] = [];
    for (const field of topFields(op.selectionSet, fragments, problems)) {
      const effect = effectOf(field.name.value);
      if (!effect) continue;
      const args = argumentsOf(field.arguments, req.variables, defaults);
      const fire = firing(effect, args);
      if (fire) out.push(findingFor(field, effect, args, fire));
    }
    out.push(...problems.map((p) => unknown(`${req.origin}: ${p}`)));
  }
  return out;
};

/** Every destructive mutation in the payloads; `unknown` for a body or document that cannot be judged. */
export const analyzeGraphql: Analyzer = async (payloads, ctx) => {
  const out: Finding[] = [];
  for (const req of requestsOf(payloads, ctx.cwd, ctx.reader)) {
    if (req.query === null) {
      out.push(unknown(req.problem ?? `cannot read the GraphQL request from ${req.origin}`));
      continue;
    }
    // GraphQL keywords cannot be escaped: a document without the word `mutation` changes nothing. One
    // with a shell expansion (`-d "$BODY"`) is parsed anyway: if it is not GraphQL it is a run-time value.
    if (!req.query.includes('mutation') && !/[$`]/.test(req.query)) continue;
    let parse: Parse;
    try {
      parse = await loadParser();
    } catch (err) {
      out.push(unknown(`the GraphQL parser did not load (${(err as Error).message}); ${req.origin} not judged`));
      continue;
    }
    let doc: DocumentNode;
    try {
      doc = parse(req.query, { noLocation: true });
    } catch (err) {
      const runtime = /\$[A-Za-z_{(]|`/.test(req.query) ? ' — it holds a shell expansion, known only at run time' : '';
      out.push(unknown(`${req.origin}: GraphQL that does not parse (${(err as Error).message.split('\n')[0]})${runtime}`));
      continue;
    }
    out.push(...analyzeDocument(doc, req));
  }
  const all = out.filter((f) => f.kind !== 'unknown').map((f) => f.details);
  // match.ts merges a rule's findings' details into one object; keep the full list under one key.
  return all.length > 1 ? out.map((f) => ({ ...f, details: { ...f.details, mutations: all } })) : out;
};
