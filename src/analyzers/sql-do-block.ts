// DO blocks: the PL/pgSQL body is parsed too, and every statement in it judged like top-level SQL.
// Only a body that builds SQL at run time (EXECUTE), another language or a parse failure stays unknown.
import { firstLine, statementsOf, type PgParser } from './sql-parser.js';
import { statementFacts, type StatementFact } from './sql-statements.js';

const dollarQuote = (body: string) => {
  let tag = 'bg';
  while (body.includes(`$${tag}$`)) tag += '_';
  return `$${tag}$${body}$${tag}$`;
};

/** Every SQL text in a PL/pgSQL parse tree, and whether it runs SQL built at run time. */
const plpgsqlQueries = (tree: unknown): { queries: Array<{ query: string; mode: number }>; dynamic: boolean } => {
  const queries: Array<{ query: string; mode: number }> = [];
  let dynamic = false;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, inner] of Object.entries(v)) {
      if (k === 'PLpgSQL_stmt_dynexecute' || k === 'PLpgSQL_stmt_dynfors' || k === 'dynquery') dynamic = true;
      if (k === 'PLpgSQL_expr') {
        const e = inner as { query?: string; parseMode?: number };
        if (typeof e.query === 'string') queries.push({ query: e.query, mode: e.parseMode ?? 0 });
      }
      walk(inner);
    }
  };
  walk(tree);
  return { queries, dynamic };
};

/** What a DO block's body destroys; `do-block` facts where it cannot be known before it runs. */
export const doBlockFacts = (pg: PgParser, language: string, body: string): StatementFact[] => {
  if (language !== 'plpgsql') return [{ kind: 'do-block', note: `its ${language} body is not analyzed` }];
  let tree: unknown;
  try {
    tree = pg.parsePlPgSQLSync(`CREATE FUNCTION blastgate_do() RETURNS void LANGUAGE plpgsql AS ${dollarQuote(body)}`);
  } catch (err) {
    return [{ kind: 'do-block', note: `its body could not be parsed (${firstLine((err as Error).message)})` }];
  }
  return plpgsqlFacts(pg, tree);
};

export const walkFor = (pg: PgParser, variables?: ReadonlySet<string>) => ({
  doBlock: (l: string, b: string) => doBlockFacts(pg, l, b),
  routine: (l: string, b: string, params: string[]) => routineFacts(pg, l, b, params),
  ...(variables ? { variables } : {}),
});

/** Names the PL/pgSQL body declares (variables, records, parameters): one value each per statement. */
const declaredNames = (tree: unknown, params: string[]): Set<string> => {
  const names = new Set(params.map((p) => p.toLowerCase()));
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, inner] of Object.entries(v)) {
      if ((k === 'PLpgSQL_var' || k === 'PLpgSQL_row' || k === 'PLpgSQL_rec') && typeof (inner as { refname?: unknown }).refname === 'string') {
        names.add((inner as { refname: string }).refname.toLowerCase());
      }
      walk(inner);
    }
  };
  walk(tree);
  return names;
};

const plpgsqlFacts = (pg: PgParser, tree: unknown, params: string[] = []): StatementFact[] => {
  const { queries, dynamic } = plpgsqlQueries(tree);
  const walk = walkFor(pg, declaredNames(tree, params));
  const facts: StatementFact[] = [];
  for (const q of queries) {
    // Mode 0 is a whole statement; other modes are expressions, or `target := expression` assignments.
    const sql = q.mode === 0 ? q.query : `SELECT ${q.mode >= 3 ? q.query.replace(/^[^]*?:?=\s*/, '') : q.query}`;
    try {
      for (const s of statementsOf(pg.parseSync(sql), sql)) facts.push(...statementFacts(s.node, walk));
    } catch {
      facts.push({ kind: 'do-block', note: 'a statement in its body could not be parsed' });
    }
  }
  if (dynamic) facts.push({ kind: 'do-block', note: 'it runs SQL built at run time (EXECUTE)' });
  return facts;
};

// The PL/pgSQL parser checks RETURN against the declared result type, which the body alone does not say.
const RESULT_TYPES = ['void', 'trigger', 'int', 'SETOF int', 'event_trigger'];

/** What a function or procedure body (`AS $$ … $$`) destroys when it runs; `unknown` where it cannot be read. */
export const routineFacts = (pg: PgParser, language: string, body: string, params: string[] = []): StatementFact[] => {
  if (language === 'sql') {
    const walk = walkFor(pg, new Set(params.map((p) => p.toLowerCase())));
    try {
      return statementsOf(pg.parseSync(body), body).flatMap((s) => statementFacts(s.node, walk));
    } catch (err) {
      return [{ kind: 'unknown', note: `its SQL body could not be parsed (${firstLine((err as Error).message)})` }];
    }
  }
  if (language !== 'plpgsql') return [{ kind: 'unknown', note: `its ${language || 'unnamed-language'} body is not analyzed` }];
  let lastError = '';
  for (const type of RESULT_TYPES) {
    try {
      const tree = pg.parsePlPgSQLSync(`CREATE FUNCTION blastgate_fn() RETURNS ${type} LANGUAGE plpgsql AS ${dollarQuote(body)}`);
      return plpgsqlFacts(pg, tree, params).map((f) => (f.kind === 'do-block' ? { ...f, kind: 'unknown', note: f.note?.replace('its body', 'the function body') } : f));
    } catch (err) {
      lastError = firstLine((err as Error).message);
    }
  }
  return [{ kind: 'unknown', note: `its PL/pgSQL body could not be parsed (${lastError})` }];
};
