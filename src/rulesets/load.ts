// Read ruleset YAML, validate it, and turn it into Ruleset objects. Slow path only: the hot path
// reads the compiled JSON (see compile.ts).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { RulesetError } from '../errors.js';
import { ANALYZER_NAMES } from '../analyzers/index.js';
import type { MatchSpec, RuleOrigin, Ruleset } from './types.js';
import { matchSpecSchema, rulesetSchema } from './schema.js';
import { compileRegex } from '../match/regex.js';

type Path = Array<string | number>;

let validator: ReturnType<Ajv['compile']> | undefined;
const getValidator = () => {
  if (!validator) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    ajv.addSchema(matchSpecSchema);
    validator = ajv.compile(rulesetSchema);
  }
  return validator;
};

/** Locate a YAML path in the source so errors can say `file:line`. */
const lineOf = (doc: Document, lines: LineCounter, path: Path): number => {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
};

const keyLineOf = (doc: Document, lines: LineCounter, path: Path, key: string): number => {
  const parent = doc.getIn(path, true);
  if (isMap(parent)) {
    for (const item of parent.items) {
      const k = item.key as { value?: unknown; range?: [number, number, number] } | null;
      if (k && k.value === key && k.range) return lines.linePos(k.range[0]).line;
    }
  }
  return lineOf(doc, lines, path);
};

const pathText = (path: Path): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';

const describeAjvError = (err: ErrorObject): { path: Path; key?: string; text: string } => {
  const path: Path = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    return { path, key, text: `unknown key "${key}"` };
  }
  if (err.keyword === 'required') {
    return { path, text: `missing key "${(err.params as { missingProperty: string }).missingProperty}"` };
  }
  if (err.keyword === 'enum') {
    return { path, text: `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  }
  return { path, text: err.message ?? 'invalid' };
};

const fail = (file: string, line: number, path: Path, text: string): never => {
  throw new RulesetError(`${file}:${line}: ${pathText(path)}: ${text}`);
};

/** Every regex in a match spec, with its YAML path, so a broken one is reported where it is written. */
function* regexesOf(spec: MatchSpec, path: Path): Generator<[string, Path]> {
  for (const [flag, v] of Object.entries(spec.flags ?? {})) if (typeof v === 'string') yield [v, [...path, 'flags', flag]];
  for (const [name, v] of Object.entries(spec.env ?? {})) if (typeof v === 'string') yield [v, [...path, 'env', name]];
  if (spec.args) yield [spec.args, [...path, 'args']];
  if (spec.allArgs) yield [spec.allArgs, [...path, 'allArgs']];
  for (const [at, v] of Object.entries(spec.argAt ?? {})) yield [v, [...path, 'argAt', at]];
  for (const [i, sub] of (spec.any ?? []).entries()) yield* regexesOf(sub, [...path, 'any', i]);
  if (spec.unless) yield* regexesOf(spec.unless, [...path, 'unless']);
}

function* specsOf(spec: MatchSpec, path: Path): Generator<[MatchSpec, Path]> {
  yield [spec, path];
  for (const [i, sub] of (spec.any ?? []).entries()) yield* specsOf(sub, [...path, 'any', i]);
  if (spec.unless) yield* specsOf(spec.unless, [...path, 'unless']);
}

/** Parse and validate one ruleset from text; `file` is used in error messages only. */
export const parseRuleset = (text: string, file: string, origin: RuleOrigin): Ruleset => {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw new RulesetError(`${file}:${line}: YAML error: ${e.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new RulesetError(`${file}:1: YAML error: ${(err as Error).message.split('\n')[0]}`);
  }
  const validate = getValidator();
  if (!validate(raw)) {
    const { path, key, text: msg } = describeAjvError(validate.errors![0]!);
    const line = key ? keyLineOf(doc, lines, path, key) : lineOf(doc, lines, path);
    return fail(file, line, path, msg);
  }
  const data = raw as Omit<Ruleset, 'source' | 'origin' | 'grammar' | 'packages' | 'description'> &
    Partial<Pick<Ruleset, 'grammar' | 'packages' | 'description' | 'credentials'>>;
  const grammar = {
    style: data.grammar?.style ?? 'posix',
    valueFlags: data.grammar?.valueFlags ?? [],
    aliases: data.grammar?.aliases ?? {},
    switches: data.grammar?.switches ?? [],
    envArgs: (data.grammar?.envArgs ?? []).map((e) => ({ var: e.var, at: e.at ?? 'after-command' })),
    payloads: data.grammar?.payloads ?? {},
    ...(data.grammar?.abbreviations ? { abbreviations: data.grammar.abbreviations } : {}),
    ...(data.grammar?.config ? { config: data.grammar.config } : {}),
    ...(data.grammar?.longOptions ? { longOptions: data.grammar.longOptions } : {}),
    ...(data.grammar?.commandLongOptions ? { commandLongOptions: data.grammar.commandLongOptions } : {}),
    ...(data.grammar?.implicit ? { implicit: data.grammar.implicit } : {}),
    ...(data.grammar?.interactive ? { interactive: data.grammar.interactive } : {}),
    ...(data.grammar?.promptSkip ? { promptSkip: data.grammar.promptSkip } : {}),
  };
  for (const [i, input] of (grammar.implicit ?? []).entries()) {
    const at: Path = ['grammar', 'implicit', i];
    if (input.read === 'payload' && !(input.analyzer && grammar.payloads[input.analyzer])) {
      fail(file, lineOf(doc, lines, at), at, `implicit input read as payload needs an analyzer named in grammar.payloads (got ${JSON.stringify(input.analyzer ?? null)})`);
    }
  }
  const seen = new Set<string>();
  for (const [i, rule] of data.rules.entries()) {
    const at: Path = ['rules', i];
    if (!rule.id.startsWith(`${data.tool}:`)) {
      fail(file, keyLineOf(doc, lines, at, 'id'), [...at, 'id'], `rule id "${rule.id}" must start with "${data.tool}:"`);
    }
    if (seen.has(rule.id)) fail(file, keyLineOf(doc, lines, at, 'id'), [...at, 'id'], `duplicate rule id "${rule.id}"`);
    seen.add(rule.id);
    for (const [source, path] of regexesOf(rule.match, [...at, 'match'])) {
      try {
        compileRegex(source);
      } catch (err) {
        fail(file, lineOf(doc, lines, path), path, `broken regex ${JSON.stringify(source)}: ${(err as Error).message}`);
      }
    }
    for (const [spec, path] of specsOf(rule.match, [...at, 'match'])) {
      for (const flag of Object.keys(spec.flags ?? {})) {
        const canonical = grammar.aliases[flag];
        if (canonical) fail(file, keyLineOf(doc, lines, [...path, 'flags'], flag), [...path, 'flags', flag], `"${flag}" is an alias; write the canonical "${canonical}"`);
      }
      if (spec.payload) {
        if (!ANALYZER_NAMES.includes(spec.payload.analyzer)) {
          fail(file, lineOf(doc, lines, [...path, 'payload']), [...path, 'payload', 'analyzer'], `unknown analyzer "${spec.payload.analyzer}" (known: ${ANALYZER_NAMES.join(', ')})`);
        }
        if (!grammar.payloads[spec.payload.analyzer]) {
          fail(file, lineOf(doc, lines, [...path, 'payload']), [...path, 'payload'], `grammar.payloads has no "${spec.payload.analyzer}" entry saying where the payload is`);
        }
      }
    }
    const dupes = findDuplicates([...rule.examples.match, ...(rule.examples['no-match'] ?? [])]);
    if (dupes.length > 0) fail(file, keyLineOf(doc, lines, at, 'examples'), [...at, 'examples'], `duplicate example ${JSON.stringify(dupes[0])}`);
  }
  for (const [i, rule] of (data.mcp ?? []).entries()) {
    const at: Path = ['mcp', i];
    if (!rule.id.startsWith(`${data.tool}:`)) fail(file, keyLineOf(doc, lines, at, 'id'), [...at, 'id'], `rule id "${rule.id}" must start with "${data.tool}:"`);
    if (seen.has(rule.id)) fail(file, keyLineOf(doc, lines, at, 'id'), [...at, 'id'], `duplicate rule id "${rule.id}"`);
    seen.add(rule.id);
    for (const [name, source] of Object.entries(rule.args ?? {})) {
      if (typeof source !== 'string') continue;
      try {
        compileRegex(source);
      } catch (err) {
        fail(file, lineOf(doc, lines, [...at, 'args', name]), [...at, 'args', name], `broken regex ${JSON.stringify(source)}: ${(err as Error).message}`);
      }
    }
    if (rule.payload && !ANALYZER_NAMES.includes(rule.payload.analyzer)) {
      fail(file, lineOf(doc, lines, [...at, 'payload']), [...at, 'payload', 'analyzer'], `unknown analyzer "${rule.payload.analyzer}" (known: ${ANALYZER_NAMES.join(', ')})`);
    }
  }
  return {
    tool: data.tool,
    description: data.description ?? '',
    binaries: data.binaries,
    packages: data.packages ?? {},
    ...(data.credentials ? { credentials: data.credentials } : {}),
    grammar,
    rules: data.rules.map((r) => ({ ...r, examples: { match: r.examples.match, 'no-match': r.examples['no-match'] ?? [] } })),
    ...(data.mcp ? { mcp: data.mcp.map((r) => ({ ...r, examples: { match: r.examples.match, 'no-match': r.examples['no-match'] ?? [] } })) } : {}),
    source: file,
    origin,
  };
};

const findDuplicates = (items: string[]): string[] => {
  const seen = new Set<string>();
  return items.filter((x) => (seen.has(x) ? true : (seen.add(x), false)));
};

/** Read and validate one ruleset file. */
export const loadRulesetFile = (file: string, origin: RuleOrigin): Ruleset => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RulesetError(`${file}: cannot read ruleset: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRuleset(text, file, origin);
};
