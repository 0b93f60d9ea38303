// The PostgreSQL parser (libpg-query, WASM): loaded once on first need, and a tolerant way to parse a
// run of psql statements that still says which one is bad.
import { useBaselineWasm } from '../io/wasm-baseline.js';

export type PgParser = typeof import('libpg-query');

let parserLoad: Promise<PgParser> | undefined;

/** The PostgreSQL parser, imported and instantiated once, on first need. */
export const loadPgParser = (): Promise<PgParser> =>
  (parserLoad ??= (async () => {
    useBaselineWasm();
    const pg = await import('libpg-query');
    await pg.loadModule();
    return pg;
  })());

/** One statement: its parse tree, or why it could not be parsed. */
export interface Parsed {
  node?: unknown;
  error?: string;
  text: string;
  /** Shell words (`$t`, `${x}`, `$(…)`, xargs' `{}`) that only get a value at run time. */
  runtimeWords?: string[];
}

export const firstLine = (s: string) => s.split('\n')[0]!.trim();

type ParseResult = { stmts?: Array<{ stmt?: unknown; stmt_location?: number; stmt_len?: number }> };

/** Statements of a parse result with their source text (the parser's offsets count UTF-8 bytes). */
export const statementsOf = (result: ParseResult, source: string): Parsed[] => {
  const bytes = Buffer.from(source, 'utf8');
  return (result.stmts ?? []).map((s) => {
    const at = s.stmt_location ?? 0;
    const end = s.stmt_len ? at + s.stmt_len : bytes.length;
    return { node: s.stmt, text: bytes.subarray(at, end).toString('utf8') };
  });
};

/** A shell expansion or xargs/find placeholder left in SQL: the shell fills it in just before psql runs. */
const RUNTIME_WORD = /\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_$])|\$[0-9@*#?!]|\{\}/g;

// Read `DROP TABLE $t` as `DROP TABLE "$t"`: the statement's shape is known even if a word is not.
const withPlaceholders = (pg: PgParser, chunk: string): Parsed[] | null => {
  const words = chunk.match(RUNTIME_WORD);
  if (!words) return null;
  const sql = chunk.replace(RUNTIME_WORD, (w) => `"${w.replace(/"/g, '""')}"`);
  try {
    return statementsOf(pg.parseSync(sql), sql).map((p) => ({ ...p, runtimeWords: [...new Set(words)] }));
  } catch {
    return null;
  }
};

/** Parse statements as psql would send them: one parser call for the run, one per statement only when it fails. */
export const parseStatements = (pg: PgParser, chunks: string[]): Parsed[] => {
  const joined = chunks.join('\n;\n');
  try {
    return statementsOf(pg.parseSync(joined), joined);
  } catch {
    return chunks.flatMap((chunk) => {
      try {
        return statementsOf(pg.parseSync(chunk), chunk);
      } catch (err) {
        return withPlaceholders(pg, chunk) ?? [{ error: firstLine((err as Error).message), text: chunk }];
      }
    });
  }
};
