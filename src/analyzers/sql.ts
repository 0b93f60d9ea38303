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
//   revoke-public  REVOKE … FROM PUBLIC
//   copy-program   COPY … FROM/TO PROGRAM: a shell command on the database server
//   do-block       DO block whose body cannot be judged (EXECUTE of built SQL, another language, unparseable)
//   meta-hidden    psql meta-command hiding SQL or running a shell: unreadable \i, \!, \gexec, \e, `|cmd`, `backquotes`, unknown \x
//   rolled-back    any of the above inside BEGIN … ROLLBACK                details.kindIfCommitted
//   unknown        unreadable payload, unparseable SQL, a bare psql variable only known at run time, dblink_exec(),
//                  SQL holding a shell word only known at run time (`DROP TABLE $t`; also reported as what it parses to)
// Every finding's details carry statement (trimmed) and origin, plus the facts listed; cascade, inDoBlock and
// rolledBack when they apply. Statements inside a DO block's body are analyzed like any other (inDoBlock).
import { dirname, resolve } from 'node:path';
import type { Finding } from '../types.js';
import { metaFindings, type ScriptContext } from './psql-meta.js';
import { psqlScriptOptions } from './psql-options.js';
import { scanPsqlScript } from './psql-script.js';
import { doBlockFacts } from './sql-do-block.js';
import { finding } from './sql-finding.js';
import { firstLine, loadPgParser, parseStatements } from './sql-parser.js';
import { statementFacts, type StatementFact } from './sql-statements.js';
import type { Analyzer } from './types.js';

/**
 * Sound prefilter: a payload without any of these (anywhere, strings and comments included) cannot hold a
 * destructive statement, a DO block, a COPY … PROGRAM, a psql meta-command or a shell word that is only
 * filled in at run time (`$SQL`, `` `cmd` ``, xargs' `{}`), so the parser never loads.
 */
export const MAY_DESTROY = /drop|truncate|delete|update|revoke|\bdo\b|unlink|program|dblink|[\\$`]|\{\}/i;

/** psql's transactions as the script runs: findings between BEGIN and ROLLBACK are undone. */
class TransactionTracker {
  private open = false;
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

const analyzeScript = async (text: string, sc: ScriptContext): Promise<Finding[]> => {
  const out: Finding[] = [];
  const txn = new TransactionTracker(out, sc.origin);
  const items = scanPsqlScript(text, { vars: sc.vars, singleLine: sc.singleLine });
  const walk = { doBlock: (l: string, b: string) => doBlockFacts(sc.pg, l, b) };
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
      else for (const fact of statementFacts(p.node, walk)) txn.add(fact, p.text);
    }
    run = [];
  };
  for (const item of items) {
    if (item.type === 'sql') {
      run.push(item);
      continue;
    }
    flushRun();
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
  const { vars, singleLine } = psqlScriptOptions(ctx.argv);
  const varText = [...vars.values()].join('\n');
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
      out.push(...(await analyzeScript(p.text, { pg, origin: p.origin, cwd: ctx.cwd, baseDir: payloadDir(p.origin, ctx.cwd), home: ctx.env.HOME, vars: scriptVars, singleLine, depth: 0 })));
    } catch (err) {
      out.push({ kind: 'unknown', detail: `SQL from ${p.origin} could not be analyzed: ${firstLine((err as Error).message)}`, details: { origin: p.origin } });
    }
  }
  return out;
};
