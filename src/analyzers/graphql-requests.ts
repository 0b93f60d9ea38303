// Turn payloads (HTTP bodies, files, stdin, command words) into GraphQL requests: document + variables.
import { PayloadReader } from '../payload/reader.js';
import type { Payload } from './types.js';
import { UNKNOWN, type Variables } from './graphql-values.js';

/** One request as the server would receive it; `query` null when the document cannot be known. */
export interface GraphqlRequest {
  query: string | null;
  variables: Variables;
  operationName?: string;
  origin: string;
  problem?: string;
}

const REQUEST_KEYS = new Set(['query', 'variables', 'operationName', 'operations']);

const unknownRequest = (origin: string, problem: string): GraphqlRequest => ({ query: null, variables: UNKNOWN, origin, problem });

const variablesOf = (v: unknown): Variables => {
  if (v === undefined || v === null) return {};
  if (typeof v === 'string') {
    try {
      return variablesOf(JSON.parse(v));
    } catch {
      return UNKNOWN;
    }
  }
  return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : UNKNOWN;
};

// `{"query": …, "variables": …, "operationName": …}`; multipart `operations` holds the same object.
const fromObject = (o: Record<string, unknown>, origin: string): GraphqlRequest[] => {
  if (typeof o.operations === 'string') return fromBody(o.operations, origin);
  if (typeof o.query !== 'string') {
    const persisted = o.extensions !== undefined || o.documentId !== undefined || o.id !== undefined;
    return [unknownRequest(origin, persisted ? `${origin}: a persisted query (its document is not in the request)` : `${origin}: JSON body has no "query"`)];
  }
  // `-F query=@file` / `-F query=<file` (curl) take the document from a file we were not shown.
  if (/^\s*[@<]/.test(o.query)) return [unknownRequest(origin, `${origin}: the document comes from a file (${o.query.trim()})`)];
  return [{
    query: o.query,
    variables: variablesOf(o.variables),
    ...(typeof o.operationName === 'string' ? { operationName: o.operationName } : {}),
    origin,
  }];
};

const fromJson = (value: unknown, origin: string): GraphqlRequest[] => {
  if (Array.isArray(value)) return value.flatMap((v, i) => fromJson(v, `${origin} [${i}]`));
  if (value && typeof value === 'object') return fromObject(value as Record<string, unknown>, origin);
  return [unknownRequest(origin, `${origin}: JSON body is not a GraphQL request`)];
};

const FORM = /^(?:query|variables|operationName|operations)=/;

const fromForm = (text: string, origin: string): GraphqlRequest[] => {
  const params = new URLSearchParams(text);
  const o: Record<string, unknown> = {};
  for (const key of REQUEST_KEYS) if (params.has(key)) o[key] = params.get(key);
  return o.query === undefined && o.operations === undefined ? [] : fromObject(o, origin);
};

/** One body as sent: JSON (object or batch), form fields, or a bare GraphQL document. */
export const fromBody = (text: string, origin: string): GraphqlRequest[] => {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return fromJson(JSON.parse(trimmed), origin);
    } catch {
      if (trimmed.startsWith('[')) return [unknownRequest(origin, `${origin}: body is neither JSON nor GraphQL`)];
      // `{ me { id } }` is a GraphQL query in shorthand; fall through.
    }
  }
  if (FORM.test(trimmed)) return fromForm(trimmed, origin);
  return [{ query: text, variables: {}, origin }];
};

// ---------- words on the command line (URLs, httpie/xh request items, `railway api` documents) ----------

const RUNTIME = /\$[A-Za-z_{(]|`/;
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[\w-]+(?:\.[\w-]+)+(?::\d+)?\/)/i;
const DOCUMENT_START = /^\s*(?:[{[#]|(?:query|mutation|subscription|fragment)\b)/;
// httpie / xh items: `key=value`, `key:=json`, `key=@file`, `key:=@file` (headers `k:v` and params `k==v` are not body).
const ITEM = /^((?:\\.|[\w.\-[\]])*)(==|:=@|=@|:=|=|@|:)([\s\S]*)$/;

// Files named in request items are read like any payload: regular files only, capped, hashed.
const readFile = (path: string, cwd: string, reader: PayloadReader): string | null => reader.file(path, cwd).text;

const fromUrl = (word: string): GraphqlRequest[] => {
  const q = word.indexOf('?');
  return q < 0 ? [] : fromForm(word.slice(q + 1).replace(/#.*$/, ''), 'the URL');
};

/** Request items of one command (httpie/xh): fields named like a GraphQL request build one JSON body. */
const fromItems = (items: Array<[string, string, string]>, cwd: string, reader: PayloadReader): GraphqlRequest[] => {
  const o: Record<string, unknown> = {};
  for (const [key, op, raw] of items) {
    let value: unknown = raw;
    if (op === '=@' || op === ':=@') {
      const text = readFile(raw, cwd, reader);
      if (text === null) return [unknownRequest(`${key}${op}${raw}`, `cannot read ${raw}`)];
      value = text;
    }
    if (op === ':=' || op === ':=@') {
      try {
        value = JSON.parse(value as string);
      } catch {
        return [unknownRequest(`${key}${op}`, `${key}${op}: not JSON`)];
      }
    }
    o[key] = value;
  }
  if (o.query === undefined && o.operations === undefined) return [];
  if (o.query !== undefined && typeof o.query !== 'string') return [unknownRequest('request items', 'query item is not a string')];
  return fromObject(o, 'request items');
};

const fromArguments = (words: string[], cwd: string, reader: PayloadReader): GraphqlRequest[] => {
  const out: GraphqlRequest[] = [];
  const items: Array<[string, string, string]> = [];
  for (const word of words) {
    if (URL_LIKE.test(word)) {
      out.push(...fromUrl(word));
      continue;
    }
    const item = ITEM.exec(word);
    if (item && REQUEST_KEYS.has(item[1]!) && ['=', ':=', '=@', ':=@'].includes(item[2]!)) {
      items.push([item[1]!, item[2]!, item[3]!]);
      continue;
    }
    if (DOCUMENT_START.test(word)) {
      out.push(...fromBody(word, 'argument'));
      continue;
    }
    // Anything else with GraphQL punctuation, or only known at run time (`railway api "$DOC"`), is judged
    // rather than skipped; plain words (`api`, `POST`, a search term) are not bodies.
    if (!item && (/[{}]/.test(word) || RUNTIME.test(word))) out.push(...fromBody(word, 'argument'));
  }
  return [...out, ...fromItems(items, cwd, reader)];
};

// ---------- variables given apart from the document (`railway api --variables/--var/--raw-var`) ----------

const VARIABLE_FLAGS = new Set(['--variables', '--var', '--raw-var']);
const flagOf = (origin: string) => origin.split(' ')[0]!;

const sharedVariables = (payloads: Payload[]): Variables => {
  let vars: Record<string, unknown> = {};
  for (const p of payloads) {
    const flag = flagOf(p.origin);
    if (p.text === null) return UNKNOWN;
    if (flag === '--variables') {
      const v = variablesOf(p.text);
      if (v === UNKNOWN) return UNKNOWN;
      vars = { ...vars, ...v };
      continue;
    }
    const eq = p.text.indexOf('=');
    if (eq < 1) return UNKNOWN;
    const [key, raw] = [p.text.slice(0, eq), p.text.slice(eq + 1)];
    let value: unknown = raw;
    if (flag === '--var') {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    vars[key] = value;
  }
  return vars;
};

/** Every request the payloads make. Variables flags fill in documents that carry none of their own. */
export const requestsOf = (payloads: Payload[], cwd: string, reader = new PayloadReader()): GraphqlRequest[] => {
  const varPayloads = payloads.filter((p) => VARIABLE_FLAGS.has(flagOf(p.origin)));
  const shared = varPayloads.length > 0 ? sharedVariables(varPayloads) : undefined;
  const out: GraphqlRequest[] = [];
  const words: string[] = [];
  const formParts: string[] = [];
  for (const p of payloads) {
    if (varPayloads.includes(p)) continue;
    if (p.text === null) out.push(unknownRequest(p.origin, p.problem ?? `cannot read ${p.origin}`));
    else if (flagOf(p.origin) === '--config') {
      // A curl config file (-K) holds options, not a body: its lines were spliced into the command line
      // (src/payload/implicit.ts) and are judged there; only an unreadable one (above) is unknown here.
    } else if (p.origin === 'argument') words.push(p.text);
    else if (URL_LIKE.test(p.text) && !/\s/.test(p.text)) out.push(...fromUrl(p.text)); // `curl --url URL?query=…`
    else if (FORM.test(p.text.trim())) formParts.push(p.text.trim()); // curl joins repeated -d values with '&'
    else out.push(...fromBody(p.text, p.origin));
  }
  if (formParts.length > 0) out.push(...fromForm(formParts.join('&'), 'form data'));
  out.push(...fromArguments(words, cwd, reader));
  return shared === undefined ? out : out.map((r) => (r.query !== null && r.variables !== UNKNOWN && Object.keys(r.variables).length === 0 ? { ...r, variables: shared } : r));
};
