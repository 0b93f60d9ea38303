// SQL analyzer: psql scripts judged by the real PostgreSQL parser (libpg-query, WASM). The parser loads
// only when a payload contains a keyword that could destroy something.
//
// Finding kinds (rulesets/psql.yaml selects on these):
//   drop-database  DROP DATABASE                                          details.database
//   drop-schema    DROP SCHEMA                                            details.schemas, cascade
//   drop-table     DROP TABLE                                             details.tables, cascade
//   drop-cascade   DROP <type|extension|function|sequence|view…> CASCADE  (dependent columns and tables go too)
//   drop-object    DROP VIEW|INDEX|FUNCTION|TYPE|EXTENSION|SEQUENCE…, lo_unlink(), pg_drop_replication_slot(), \lo_unlink
//   drop-role      DROP ROLE|USER|GROUP                                   details.objects (the roles)
//   drop-owned     DROP OWNED BY <role>                                   (every object the role owns in the database)
//   truncate       TRUNCATE                                               details.tables, cascade
//   delete-all     DELETE without WHERE or with an always-true one (`WHERE true`, `1=1`, `'a'='a'`, `id = id`, `x LIKE '%'`)
//   update-all     UPDATE likewise                                        details.tables, columns
//   alter-drop     ALTER TABLE … DROP COLUMN (its data in every row)      details.tables, columns, constraints
//   alter-drop-constraint  ALTER TABLE … DROP CONSTRAINT only (no data lost)  details.tables, constraints
//   unbounded-write  DELETE/UPDATE/MERGE/INSERT … ON CONFLICT DO UPDATE whose WHERE does not pin rows to fixed
//                  values (`id > 0`, `x IS NOT NULL`, joins): it may touch every row. details.tables,
//                  notNullColumns (only `col IS NOT NULL` tests: every row if the columns are NOT NULL)
//   alter-type     ALTER COLUMN … TYPE without USING (the conversion may round or cut every value);
//                  with USING it is update-all (any expression rewrites the column)
//   temp-table     DROP/TRUNCATE/DELETE/UPDATE of a temporary table created earlier in the same script (below)
//   revoke-public  REVOKE … FROM PUBLIC
//   copy-program   COPY … FROM/TO PROGRAM: a shell command on the database server
//   do-block       DO block whose body cannot be judged (EXECUTE of built SQL, another language, unparseable)
//   meta-hidden    psql meta-command hiding SQL or running a shell: unreadable \i, \!, \gexec, \e, `|cmd`, `backquotes`, unknown \x
//   rolled-back    any of the above inside BEGIN … ROLLBACK                details.kindIfCommitted
//   unknown        unreadable payload, unparseable SQL, a bare psql variable only known at run time, dblink_exec(),
//                  SQL holding a shell word only known at run time (`DROP TABLE $t`; also reported as what it parses to)
// Every finding's details carry statement (trimmed) and origin, plus the facts listed; cascade, inDoBlock,
// inFunction and rolledBack when they apply. Statements inside a DO block's body are analyzed like any other
// (inDoBlock); so are function and procedure bodies in SQL or PL/pgSQL, reported where they are created
// (inFunction): they run whenever called or fired. Other languages and dblink() are unknown.
// Tables created TEMPORARY earlier in the same script are the script's own: dropping or emptying them is
// not reported, as long as a failed CREATE cannot let the DROP reach a real table of the same name (one -c
// string, ON_ERROR_STOP, -1, inside BEGIN) and nothing moves pg_temp off the front of search_path.
import { dirname, resolve } from 'node:path';
import { PayloadReader } from '../payload/reader.js';
import type { Finding } from '../types.js';
import { metaFindings, type ScriptContext } from './psql-meta.js';
import { psqlScriptOptions } from './psql-options.js';
import { scanPsqlScript } from './psql-script.js';
import { walkFor } from './sql-do-block.js';
import { finding } from './sql-finding.js';
import { firstLine, loadPgParser, parseStatements } from './sql-parser.js';
import { statementFacts, type StatementFact } from './sql-statements.js';
import type { Analyzer } from './types.js';

/**
 * Sound prefilter: a payload without any of these (anywhere, strings and comments included) cannot hold a
 * destructive statement, a DO block, a COPY … PROGRAM, a psql meta-command or a shell word that is only
 * filled in at run time (`$SQL`, `` `cmd` ``, xargs' `{}`), so the parser never loads.
 */
export const MAY_DESTROY = /drop|truncate|delete|update|revoke|\bdo\b|unlink|program|dblink|alter|merge|language|execute|[\\$`]|\{\}/i;

/** psql's transactions as the script runs: findings between BEGIN and ROLLBACK are undone. */
class TransactionTracker {
  open = false;
  private pending: Array<{ fact: StatementFact; text: string }> = [];
  constructor(private readonly out: Finding[], private readonly origin: string) {}

  statement(kind: string) {
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      if (!this.open) this.pending = [];
      this.open = true;
    } else if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_PREPARE') this.end(false);
    else if (kind === 'TRANS_STMT_ROLLBACK') this.end(true);
  }

  add(fact: StatementFact, text: string) {
    if (this.open) this.pending.push({ fact, text });
    else this.out.push(finding(fact, text, this.origin));
  }

  /** At the end of the script an open transaction is reported as if it committed (psql -1 commits). */
  end(rolledBack: boolean) {
    for (const p of this.pending) this.out.push(finding(p.fact, p.text, this.origin, rolledBack));
    this.pending = [];
    this.open = false;
  }
}

type Item = ReturnType<typeof scanPsqlScript>[number];

const TABLE_KINDS = new Set(['drop-table', 'truncate', 'delete-all', 'update-all', 'unbounded-write']);

/** Temporary tables this script created; statements that only touch them destroy nothing else. */
class ScriptTemps {
  private names = new Set<string>();
  constructor(private readonly enabled: boolean) {}

  /** Record `CREATE TEMP TABLE t` / `CREATE TEMP TABLE t AS …` when a failure would stop the script. */
  statement(node: unknown, failureStops: boolean) {
    const n = node as { CreateStmt?: { relation?: RelName }; CreateTableAsStmt?: { into?: { rel?: RelName }; objtype?: string } };
    const rel = n.CreateStmt?.relation ?? (n.CreateTableAsStmt?.objtype === 'OBJECT_TABLE' ? n.CreateTableAsStmt.into?.rel : undefined);
    if (this.enabled && failureStops && rel?.relpersistence === 't' && (!rel.schemaname || rel.schemaname === 'pg_temp')) this.names.add(rel.relname ?? '');
  }

  /** A new session (`\c`) starts with no temporary tables. */
  reset() {
    this.names.clear();
  }

  owns(fact: StatementFact): boolean {
    if (!TABLE_KINDS.has(fact.kind) || fact.inFunction || fact.inDoBlock || !fact.tables?.length) return false;
    return fact.tables.every((t) => this.names.has(t.startsWith('pg_temp.') ? t.slice('pg_temp.'.length) : t));
  }
}
interface RelName {
  relname?: string;
  schemaname?: string;
  relpersistence?: string;
}

const analyzeScript = async (text: string, sc: ScriptContext): Promise<Finding[]> => {
  const out: Finding[] = [];
  const txn = new TransactionTracker(out, sc.origin);
  const items = scanPsqlScript(text, { vars: sc.vars, singleLine: sc.singleLine, ...(sc.numericVars ? { numericVars: true } : {}) });
  const walk = walkFor(sc.pg);
  // One -c string is one query: the server skips the rest of it after an error.
  const oneQuery = sc.origin === '-c' && items.every((i) => i.type === 'sql');
  const temps = new ScriptTemps(!sc.searchPathFromEnv && !/search_path/i.test(text));
  let run: Extract<Item, { type: 'sql' }>[] = [];
  const flushRun = () => {
    const judged = new Set<string>();
    for (const s of run) {
      for (const v of s.runtimeVars) {
        out.push(finding({ kind: 'unknown', note: `psql variable :${v} is only known at run time and may hold any SQL` }, s.text, sc.origin));
        judged.add(s.text);
      }
    }
    for (const p of parseStatements(sc.pg, run.map((s) => s.text))) {
      if (p.error !== undefined) {
        if (judged.has(p.text)) continue; // already unknown because of its run-time variable
        out.push(finding({ kind: 'unknown', note: `the PostgreSQL parser cannot read it: ${p.error}` }, p.text, sc.origin));
        continue;
      }
      if (p.runtimeWords) {
        const words = p.runtimeWords.join(', ');
        out.push(finding({ kind: 'unknown', note: `${words} is only known at run time and may hold any SQL` }, p.text, sc.origin));
      }
      const tx = (p.node as { TransactionStmt?: { kind?: string } }).TransactionStmt;
      if (tx) txn.statement(String(tx.kind));
      else {
        for (const fact of statementFacts(p.node, walk)) {
          // Still reported, low: the resolver checks that the server's search_path keeps pg_temp first.
          txn.add(temps.owns(fact) ? { kind: 'temp-table', tables: fact.tables, note: `${fact.kind} of a temporary table this script created` } : fact, p.text);
        }
        temps.statement(p.node, oneQuery || !!sc.stopsOnError || txn.open);
      }
    }
    run = [];
  };
  for (const item of items) {
    if (item.type === 'sql') {
      run.push(item);
      continue;
    }
    flushRun();
    if (item.name === 'c' || item.name === 'connect') temps.reset();
    out.push(...(await metaFindings(item, sc, analyzeScript)));
  }
  flushRun();
  txn.end(false);
  return out;
};

// `-f path`, `--file path`, `< path`, `cat path`: the directory `\ir` resolves against.
const payloadDir = (origin: string, cwd: string): string => {
  const m = /^(?:-f|--file|<|cat)\s+(.+)$/.exec(origin);
  return m ? dirname(resolve(cwd, m[1]!)) : cwd;
};

export const analyzeSql: Analyzer = async (payloads, ctx) => {
  const out: Finding[] = [];
  const { vars, singleLine, singleTransaction, numericVars } = psqlScriptOptions(ctx.argv);
  const stopsOnError = singleTransaction || /^(on|1|true|yes)$/i.test(vars.get('ON_ERROR_STOP') ?? '');
  const searchPathFromEnv = /search_path/i.test(ctx.env.PGOPTIONS ?? '');
  const varText = [...vars.values()].join('\n');
  const reader = ctx.reader ?? new PayloadReader();
  for (const p of payloads) {
    if (p.text === null) {
      out.push({ kind: 'unknown', detail: p.problem ?? `cannot read SQL from ${p.origin}`, details: { origin: p.origin } });
      continue;
    }
    if (!MAY_DESTROY.test(p.text) && !MAY_DESTROY.test(varText)) continue;
    try {
      const pg = await loadPgParser();
      // psql sends a -c string to the server as written: no variable is substituted in it.
      const scriptVars = p.origin === '-c' ? new Map<string, string | null>() : vars;
      out.push(...(await analyzeScript(p.text, { pg, origin: p.origin, cwd: ctx.cwd, baseDir: payloadDir(p.origin, ctx.cwd), home: ctx.env.HOME, vars: scriptVars, singleLine, depth: 0, stopsOnError, searchPathFromEnv, ...(numericVars ? { numericVars } : {}), reader })));
    } catch (err) {
      out.push({ kind: 'unknown', detail: `SQL from ${p.origin} could not be analyzed: ${firstLine((err as Error).message)}`, details: { origin: p.origin } });
    }
  }
  return out;
};
