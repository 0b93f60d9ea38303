// How psql reads its own argv (variables, single-line mode, connection options), shared by the SQL
// analyzer and the PostgreSQL resolver so both read a command line the same way.
import { indexGrammar, readArgs, type GrammarIndex, type ReadArgs } from '../match/read-args.js';
import type { Grammar } from '../rulesets/types.js';

const psqlGrammar: Grammar = {
  style: 'posix',
  valueFlags: ['-c', '-d', '-f', '-h', '-p', '-U', '-v', '-o', '-L', '-P', '-F', '-R', '-T'],
  aliases: {
    '--command': '-c',
    '--dbname': '-d',
    '--file': '-f',
    '--host': '-h',
    '--port': '-p',
    '--username': '-U',
    '--set': '-v',
    '--variable': '-v',
    '--output': '-o',
    '--log-file': '-L',
    '--pset': '-P',
    '--field-separator': '-F',
    '--record-separator': '-R',
    '--table-attr': '-T',
    '--single-line': '-S',
    '--single-transaction': '-1',
    '--no-password': '-w',
    '--password': '-W',
  },
  envArgs: [],
  payloads: {},
};

let psqlIndex: GrammarIndex | undefined;

/** psql's argv (without argv[0]) read with its real option table. */
export const readPsqlArgs = (args: readonly string[]): ReadArgs => readArgs(args, (psqlIndex ??= indexGrammar(psqlGrammar)), false);

const base = (path: string | undefined) => (path ?? '').split('/').pop() ?? '';

/** Script options that change how psql reads SQL: `-v NAME=VALUE` variables and `-S` single-line mode. */
export interface ScriptOptions {
  vars: Map<string, string | null>;
  singleLine: boolean;
  singleTransaction: boolean;
  /** pgbench: every variable holds a number or a short value, never SQL text (`\set` evaluates expressions). */
  numericVars?: boolean;
}

// pgbench -D NAME=VALUE / -DNAME=VALUE / --define[=]NAME=VALUE (pgbench --help).
const pgbenchVars = (argv: readonly string[]): Map<string, string | null> => {
  const vars = new Map<string, string | null>();
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    const def = w === '-D' || w === '--define' ? argv[++i] : w.startsWith('--define=') ? w.slice(9) : w.startsWith('-D') ? w.slice(2) : undefined;
    const eq = def?.indexOf('=') ?? -1;
    if (def && eq > 0) vars.set(def.slice(0, eq), def.slice(eq + 1));
  }
  return vars;
};

export const psqlScriptOptions = (argv: readonly string[]): ScriptOptions => {
  const vars = new Map<string, string | null>();
  if (base(argv[0]) === 'pgbench') return { vars: pgbenchVars(argv), singleLine: false, singleTransaction: false, numericVars: true };
  if (base(argv[0]) !== 'psql') return { vars, singleLine: false, singleTransaction: false };
  const read = readPsqlArgs(argv.slice(1));
  for (const v of read.flags.get('-v') ?? []) {
    const eq = v.indexOf('=');
    if (eq > 0) vars.set(v.slice(0, eq), v.slice(eq + 1));
    else vars.delete(v); // `-v NAME` without `=` unsets it
  }
  return { vars, singleLine: (read.flags.get('-S') ?? []).length > 0, singleTransaction: (read.flags.get('-1') ?? []).length > 0 };
};
