// psql meta-commands: which only display or set things, which hide SQL (`\i`, `\copy (query)`) and which
// run something outside the session (`\!`, `\gexec`, `|pipes`, `backquotes`).
import { dirname, isAbsolute, resolve } from 'node:path';
import { namesStdin, type PayloadReader } from '../payload/reader.js';
import type { Finding } from '../types.js';
import type { ScriptMeta } from './psql-script.js';
import { walkFor } from './sql-do-block.js';
import { finding } from './sql-finding.js';
import { statementsOf, type PgParser } from './sql-parser.js';
import { statementFacts } from './sql-statements.js';

/** Where a script runs and what it may read; `\i` analyzes its file with the same context, one level deeper. */
export interface ScriptContext {
  pg: PgParser;
  origin: string;
  cwd: string;
  /** Directory `\ir` resolves against: the including file's, else the working directory. */
  baseDir: string;
  home: string | undefined;
  vars: Map<string, string | null>;
  singleLine: boolean;
  numericVars?: boolean;
  depth: number;
  /** psql stops at the first error (ON_ERROR_STOP, `-1`): a failed CREATE never lets the next statement run. */
  stopsOnError?: boolean;
  /** search_path may be changed from outside the script (PGOPTIONS): pg_temp might not be searched first. */
  searchPathFromEnv?: boolean;
  /** Reads included files: regular files only, capped, never blocking, hashed into the verdict. */
  reader: PayloadReader;
}

export type ScriptAnalyzer = (text: string, sc: ScriptContext) => Promise<Finding[]>;

const MAX_INCLUDE_DEPTH = 8;

/** Meta-commands that neither hide SQL nor run anything outside the database session. */
const SAFE_META = new Set([
  'a', 'bind', 'bind_named', 'c', 'cd', 'close', 'close_prepared', 'conninfo', 'connect', 'copyright', 'crosstabview',
  'encoding', 'echo', 'elif', 'else', 'endif', 'endpipeline', 'errverbose', 'f', 'flush', 'flushrequest', 'gdesc',
  'getenv', 'getresults', 'gset', 'H', 'h', 'help', 'html', 'if', 'l', 'list', 'lo_export', 'lo_import', 'lo_list', 'p',
  'parse', 'password', 'print', 'prompt', 'pset', 'q', 'quit', 'qecho', 'r', 'reset', 'restrict', 'unrestrict', 's',
  'sendpipeline', 'set', 'setenv', 'sf', 'sv', 'startpipeline', 'syncpipeline', 't', 'T', 'timing', 'unset', 'warn',
  'watch', 'x', 'z', '?', 'C', '.', '\\',
  // pgbench's own: \sleep waits; \aset stores results like \gset (psql reports both as invalid and goes on).
  'sleep', 'aset',
]);

const hidden = (m: ScriptMeta, origin: string, note: string): Finding =>
  finding({ kind: 'meta-hidden', note }, `\\${m.name}${m.raw ? ` ${m.raw}` : ''}`, origin);

const readInclude = (m: ScriptMeta, sc: ScriptContext): { text: string; path: string } | { problem: string } => {
  let file = m.args[0]!;
  if (namesStdin(file)) return { problem: 'reads SQL from stdin at run time' };
  if (file.startsWith('~/') && sc.home) file = `${sc.home}${file.slice(1)}`;
  const relativeTo = m.name === 'ir' || m.name === 'include_relative' ? sc.baseDir : sc.cwd;
  const path = isAbsolute(file) ? file : resolve(relativeTo, file);
  const got = sc.reader.file(path, sc.cwd, file);
  return got.text === null ? { problem: got.problem ?? `cannot read ${file}` } : { text: got.text, path };
};

// `\copy` is COPY run by psql: parse it as COPY to see a hidden query; `program` runs a local shell command.
const copyFindings = (m: ScriptMeta, sc: ScriptContext): Finding[] => {
  if (/\bprogram\b/i.test(m.raw)) return [hidden(m, sc.origin, 'runs a shell command (PROGRAM)')];
  try {
    const sql = `COPY ${m.raw}`;
    const walk = walkFor(sc.pg);
    return statementsOf(sc.pg.parseSync(sql), sql).flatMap((s) => statementFacts(s.node, walk)).map((f) => finding(f, `\\copy ${m.raw}`, sc.origin));
  } catch {
    return m.raw.trimStart().startsWith('(') ? [hidden(m, sc.origin, 'copies the result of a query psql could not read')] : [];
  }
};

/** Findings for one meta-command; `analyze` judges the file an `\i` includes. */
export const metaFindings = async (m: ScriptMeta, sc: ScriptContext, analyze: ScriptAnalyzer): Promise<Finding[]> => {
  const name = m.name.replace(/\+$/, '');
  if (m.shell) return [hidden(m, sc.origin, 'runs a shell command in backquotes')];
  switch (name) {
    case 'i':
    case 'include':
    case 'ir':
    case 'include_relative': {
      if (!m.args[0]) return [];
      if (sc.depth >= MAX_INCLUDE_DEPTH) return [hidden(m, sc.origin, `includes nest deeper than ${MAX_INCLUDE_DEPTH}`)];
      const got = readInclude(m, sc);
      if ('problem' in got) return [hidden(m, sc.origin, `the included SQL is unknown: ${got.problem}`)];
      return analyze(got.text, { ...sc, origin: `\\${m.name} ${m.args[0]}`, baseDir: dirname(got.path), vars: m.vars, depth: sc.depth + 1 });
    }
    case '!':
      return [hidden(m, sc.origin, 'runs a shell command')];
    case 'gexec':
      return [hidden(m, sc.origin, 'runs every value the query returns as SQL')];
    case 'e':
    case 'edit':
    case 'ef':
    case 'ev':
      return [hidden(m, sc.origin, 'runs SQL written in an editor at run time')];
    case 'g':
    case 'gx':
    case 'o':
    case 'out':
    case 'w':
    case 'write':
      return m.args[0]?.startsWith('|') || m.raw.startsWith('|') ? [hidden(m, sc.origin, 'pipes into a shell command')] : [];
    case 'lo_unlink':
      return [finding({ kind: 'drop-object', objectType: 'large object', objects: m.args }, `\\lo_unlink ${m.raw}`, sc.origin)];
    case 'copy':
      return copyFindings(m, sc);
  }
  if (SAFE_META.has(name) || /^d/.test(name)) return []; // \d… describe commands only read the catalog
  return [hidden(m, sc.origin, `unknown meta-command \\${m.name}`)];
};
