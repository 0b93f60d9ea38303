// A read-only look at the server with the real psql: row estimates and sizes of the tables a statement
// names, what CASCADE takes along, schema and database sizes. Every query runs in read-only
// transactions under a statement timeout; a failure means "unknown", never an exception.

type Env = Record<string, string | undefined>;

export interface LookupRequest {
  /** Table names as written (`orders`, `public.orders`). */
  tables: string[];
  /** Tables dropped or truncated with CASCADE: list what depends on them. */
  cascade: string[];
  schemas: string[];
  /** Databases to size from this connection (DROP DATABASE). */
  databases: string[];
  /** Roles whose tables DROP OWNED / dropuser concern. */
  roles: string[];
  /** Size and largest tables of the connected database itself (dropdb). */
  overview: boolean;
  /** `WHERE col IS NOT NULL`: are these columns declared NOT NULL (then the statement touches every row)? */
  notNull?: Array<{ table: string; columns: string[] }>;
  /** The session's search_path (a temp table is only found first while pg_temp is not listed after others). */
  searchPath?: boolean;
}

export interface TableInfo {
  name: string;
  qualified: string;
  kind: string;
  rows: number;
  /** rows is an exact count (the table was never analyzed), capped at COUNT_CAP. */
  exact: boolean;
  bytes: number;
}

export interface LookupResult {
  tables: Map<string, TableInfo>;
  dependents: Map<string, string[]>;
  schemas: Map<string, { tables: number; bytes: number; rows: number; largest: string[] }>;
  databases: Map<string, { bytes: number; connections: number }>;
  roles: Map<string, { canLogin: boolean; ownedTables: number; largest: string[] }>;
  overview?: { name: string; bytes: number; tables: number; rows: number; largest: string[] };
  /** Key `table|col,col` → every one of the columns exists and is NOT NULL (a primary key's columns are). */
  notNull: Map<string, boolean>;
  searchPath?: string;
  /** First error line psql printed (a query it could not run), if any. */
  problem?: string;
}

/** How to reach the server: the psql binary, connection arguments and the command's environment. */
export interface PsqlRunner {
  binary: string;
  connArgs: string[];
  env: Env;
}

/** A table never analyzed has no estimate: count it, but stop counting here. */
export const COUNT_CAP = 100_000;
const SEP = '\x1f';

const literal = (s: string): string => {
  let tag = 'bg';
  while (s.includes(`$${tag}$`)) tag += 'x';
  return `$${tag}$${s}$${tag}$`;
};

/** `public.orders` → `"public"."orders"`: names from the parse tree are exact, so quote every part. */
const regclassText = (name: string): string => literal(name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.'));

const tableQuery = (name: string) => `SELECT 'T', ${literal(name)}, t.oid::regclass::text, c.relkind, s.rows, s.bytes,
  CASE WHEN s.unanalyzed THEN (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM (SELECT 1 FROM %s LIMIT ${COUNT_CAP + 1}) s', t.oid::regclass), false, true, '')))[1]::text END
FROM (SELECT to_regclass(${regclassText(name)}) AS oid) t JOIN pg_class c ON c.oid = t.oid
CROSS JOIN LATERAL (SELECT coalesce(sum(greatest(pc.reltuples, 0)), 0)::bigint AS rows, coalesce(sum(pg_total_relation_size(pc.oid)), 0)::bigint AS bytes,
  coalesce(bool_or(pc.reltuples < 0), false) AS unanalyzed
  FROM pg_class pc WHERE pc.oid = t.oid AND c.relkind <> 'p' OR pc.oid IN (SELECT relid FROM pg_partition_tree(t.oid) WHERE isleaf AND c.relkind = 'p')) s`;

const dependentsQuery = (name: string) => `SELECT 'D', ${literal(name)}, d.label FROM (
  SELECT DISTINCT 'view ' || v.oid::regclass::text AS label FROM pg_depend dep JOIN pg_rewrite rw ON rw.oid = dep.objid JOIN pg_class v ON v.oid = rw.ev_class
    WHERE dep.classid = 'pg_rewrite'::regclass AND dep.refobjid = to_regclass(${regclassText(name)}) AND v.oid <> dep.refobjid
  UNION SELECT 'table ' || con.conrelid::regclass::text || ' (foreign key ' || con.conname || ')' FROM pg_constraint con
    WHERE con.contype = 'f' AND con.confrelid = to_regclass(${regclassText(name)}) AND con.conrelid <> con.confrelid) d`;

const USER_SCHEMAS = "c2.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema', 'pg_toast'))";

const largestIn = (where: string) =>
  `coalesce((SELECT string_agg(x.name, ',') FROM (SELECT c2.oid::regclass::text AS name FROM pg_class c2 WHERE ${where} AND c2.relkind IN ('r', 'm') ORDER BY pg_total_relation_size(c2.oid) DESC LIMIT 5) x), '')`;

const schemaQuery = (name: string) => `SELECT 'S', ${literal(name)}, count(c.oid), coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint,
  coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint, ${largestIn('c2.relnamespace = n.oid')}
FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm') WHERE n.nspname = ${literal(name)} GROUP BY n.oid`;

const databaseQuery = (name: string) => `SELECT 'B', ${literal(name)}, pg_database_size(d.oid), (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname AND a.pid <> pg_backend_pid())
FROM pg_database d WHERE d.datname = ${literal(name)}`;

const roleQuery = (name: string) => `SELECT 'R', ${literal(name)}, r.rolcanlogin,
  (SELECT count(*) FROM pg_class c2 WHERE c2.relowner = r.oid AND c2.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMAS}),
  ${largestIn(`c2.relowner = r.oid AND ${USER_SCHEMAS}`)} FROM pg_roles r WHERE r.rolname = ${literal(name)}`;

const overviewQuery = `SELECT 'O', current_database(), pg_database_size(current_database()), count(c2.oid), coalesce(sum(greatest(c2.reltuples, 0)), 0)::bigint,
  ${largestIn(USER_SCHEMAS)}
FROM pg_class c2 WHERE c2.relkind IN ('r', 'm') AND ${USER_SCHEMAS}`;

export const notNullKey = (table: string, columns: string[]) => `${table}|${columns.join(',')}`;

const notNullQuery = (table: string, columns: string[]) => `SELECT 'N', ${literal(notNullKey(table, columns))},
  count(*) = ${columns.length} AND bool_and(a.attnotnull) FROM pg_attribute a
WHERE a.attrelid = to_regclass(${regclassText(table)}) AND NOT a.attisdropped AND a.attnum > 0 AND a.attname = ANY(ARRAY[${columns.map(literal).join(', ')}]::text[])`;

/** The SQL of a lookup, one statement per -c so one failing query does not hide the others. */
export const lookupStatements = (req: LookupRequest): string[] => [
  'SET default_transaction_read_only = on',
  'SET statement_timeout = 2000',
  ...req.tables.map(tableQuery),
  ...req.cascade.map(dependentsQuery),
  ...req.schemas.map(schemaQuery),
  ...req.databases.map(databaseQuery),
  ...req.roles.map(roleQuery),
  ...(req.overview ? [overviewQuery] : []),
  ...(req.notNull ?? []).map((n) => notNullQuery(n.table, n.columns)),
  ...(req.searchPath ? ["SELECT 'P', 'search_path', current_setting('search_path')"] : []),
];

const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);
const num = (s: string | undefined) => Number(s ?? 0) || 0;

export const parseLookupOutput = (stdout: string): LookupResult => {
  const out: LookupResult = { tables: new Map(), dependents: new Map(), schemas: new Map(), databases: new Map(), roles: new Map(), notNull: new Map() };
  for (const line of stdout.split('\n')) {
    const [tag, key = '', ...f] = line.split(SEP);
    switch (tag) {
      case 'T': {
        const counted = f[4] ? num(f[4]) : undefined;
        out.tables.set(key, { name: key, qualified: f[0] ?? key, kind: f[1] ?? '', rows: counted ?? num(f[2]), exact: counted !== undefined, bytes: num(f[3]) });
        break;
      }
      case 'D':
        out.dependents.set(key, [...(out.dependents.get(key) ?? []), f[0] ?? '']);
        break;
      case 'S':
        out.schemas.set(key, { tables: num(f[0]), bytes: num(f[1]), rows: num(f[2]), largest: list(f[3]) });
        break;
      case 'B':
        out.databases.set(key, { bytes: num(f[0]), connections: num(f[1]) });
        break;
      case 'R':
        out.roles.set(key, { canLogin: f[0] === 't', ownedTables: num(f[1]), largest: list(f[2]) });
        break;
      case 'P':
        out.searchPath = f[0] ?? '';
        break;
      case 'N':
        out.notNull.set(key, f[0] === 't');
        break;
      case 'O':
        out.overview = { name: key, bytes: num(f[0]), tables: num(f[1]), rows: num(f[2]), largest: list(f[3]) };
        break;
    }
  }
  return out;
};

/** psql's error lines name hosts and users, never passwords; keep the first one, short. */
const firstProblem = (stderr: string): string | undefined => {
  const line = stderr.split('\n').map((l) => l.trim()).find(Boolean);
  return line ? line.replace(/^psql:\s*/, '').slice(0, 200) : undefined;
};

export interface LookupOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

/** Run the lookup; `{ error }` when the server could not be asked (down, refused, timed out). */
export const runLookup = async (runner: PsqlRunner, req: LookupRequest, opts: LookupOptions): Promise<{ result: LookupResult } | { error: string }> => {
  const started = performance.now();
  const args = ['-X', '-A', '-t', '-q', '-w', '-F', SEP, ...runner.connArgs];
  for (const sql of lookupStatements(req)) args.push('-c', sql);
  const env: Env = {
    ...runner.env,
    PGOPTIONS: `${runner.env.PGOPTIONS ?? ''} -c default_transaction_read_only=on -c statement_timeout=2000`.trim(),
    PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(opts.timeoutMs / 1000))),
    PGAPPNAME: 'blastgate-resolve',
  };
  const timedOut = { error: `no answer within ${opts.timeoutMs} ms` };
  if (opts.signal.aborted) return { error: 'cancelled' };
  try {
    const { execa } = await import('./load-execa.js');
    if (opts.signal.aborted) return { error: 'cancelled' };
    // Loading execa came out of the same deadline.
    const left = Math.floor(opts.timeoutMs - (performance.now() - started));
    if (left <= 0) return timedOut;
    const r = await execa(runner.binary, args, {
      env,
      extendEnv: false,
      stdin: 'ignore',
      timeout: left,
      cancelSignal: opts.signal,
      killSignal: 'SIGKILL',
      forceKillAfterDelay: false,
      maxBuffer: 1 << 20,
      encoding: 'utf8',
      stripFinalNewline: false,
      reject: false,
    });
    const result = parseLookupOutput(r.stdout ?? '');
    const problem = firstProblem(r.stderr ?? '');
    const anything = result.tables.size + result.schemas.size + result.databases.size + result.roles.size + result.notNull.size + (result.searchPath !== undefined ? 1 : 0) + (result.overview ? 1 : 0) > 0;
    // The resolve stage aborts only once it has answered without us: nothing to report.
    if (r.isCanceled) return { error: 'cancelled' };
    // Killed for time or for output past the buffer: what it said is not whole.
    if (r.timedOut || r.isMaxBuffer) return timedOut;
    if (r.exitCode === 2) return { error: problem ?? 'connection failed' };
    // psql exits 1 when some queries failed; with nothing answered at all, nothing is known.
    if (r.failed && !anything) return { error: problem ?? (r.cause instanceof Error ? r.cause.message : String(r.shortMessage)) };
    return { result: { ...result, ...(problem ? { problem } : {}) } };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

/** Bytes the way pg_size_pretty shows them. */
export const prettyBytes = (n: number): string => {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 10 * 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Math.round(v)} ${units[u]}`;
};
