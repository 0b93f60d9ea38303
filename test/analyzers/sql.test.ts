// The SQL analyzer through the real PostgreSQL parser: each finding kind, the classic false positives,
// psql scripts (meta-commands, variables, COPY data, transactions) and DO blocks.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSql, MAY_DESTROY } from '../../src/analyzers/sql.js';
import type { Finding } from '../../src/types.js';

const analyze = async (text: string | null, opts: { argv?: string[]; origin?: string; cwd?: string } = {}): Promise<Finding[]> =>
  analyzeSql([{ text, origin: opts.origin ?? 'stdin', ...(text === null ? { problem: 'cannot read x.sql (ENOENT)' } : {}) }], {
    cwd: opts.cwd ?? tmpdir(),
    env: {},
    argv: opts.argv ?? ['psql'],
  });
const kinds = async (text: string, opts?: Parameters<typeof analyze>[1]) => (await analyze(text, opts)).map((f) => f.kind);

const KIND_CASES: Array<[string, string]> = [
    ['DROP DATABASE shop', 'drop-database'],
    ['drop database if exists shop with (force)', 'drop-database'],
    ['DROP SCHEMA public CASCADE', 'drop-schema'],
    ['DROP TABLE orders', 'drop-table'],
    ['DROP TABLE IF EXISTS a, b CASCADE', 'drop-table'],
    ['DROP TYPE mood CASCADE', 'drop-cascade'],
    ['DROP EXTENSION postgis CASCADE', 'drop-cascade'],
    ['DROP VIEW v', 'drop-object'],
    ['DROP INDEX CONCURRENTLY i', 'drop-object'],
    ['DROP FUNCTION f(int)', 'drop-object'],
    ['DROP ROLE bob', 'drop-role'],
    ['DROP USER IF EXISTS app_readonly', 'drop-role'],
    ['DROP SEQUENCE s', 'drop-object'],
    ["SELECT pg_drop_replication_slot('s1')", 'drop-object'],
    ['SELECT lo_unlink(16403)', 'drop-object'],
    ['DROP OWNED BY app', 'drop-owned'],
    ['TRUNCATE orders', 'truncate'],
    ['truncate table only orders restart identity', 'truncate'],
    ['DELETE FROM orders', 'delete-all'],
    ['DELETE FROM orders WHERE true', 'delete-all'],
    ['DELETE FROM orders WHERE 1=1', 'delete-all'],
    ["DELETE FROM orders WHERE 'a'='a'", 'delete-all'],
    ["DELETE FROM orders WHERE 't'::boolean", 'delete-all'],
    ['DELETE FROM orders WHERE NOT false', 'delete-all'],
    ['DELETE FROM orders WHERE id = 5 OR 1 = 1', 'delete-all'],
    ['DELETE FROM orders WHERE id = id', 'delete-all'],
    ["DELETE FROM users WHERE email LIKE '%'", 'delete-all'],
    ['DELETE FROM orders USING customers', 'delete-all'],
    ['WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d', 'delete-all'],
    ['EXPLAIN ANALYZE DELETE FROM orders', 'delete-all'],
    ['PREPARE wipe AS DELETE FROM orders', 'delete-all'],
    ['MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', 'delete-all'],
    ['UPDATE users SET email = NULL', 'update-all'],
    ['UPDATE users SET email = NULL WHERE 2 > 1', 'update-all'],
    ['ALTER TABLE users DROP COLUMN email', 'alter-drop'],
    ['ALTER TABLE orders DROP CONSTRAINT orders_pkey', 'alter-drop-constraint'],
    ['ALTER TABLE orders DROP COLUMN total, DROP CONSTRAINT total_check', 'alter-drop'],
    ['REVOKE ALL ON DATABASE shop FROM PUBLIC', 'revoke-public'],
    ["COPY orders TO PROGRAM 'gzip > /tmp/o.gz'", 'copy-program'],
    ["DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'x'; END $$", 'do-block'],
    ["DO LANGUAGE plpython3u $$ plpy.execute('x') $$", 'do-block'],
    ['BEGIN; DROP TABLE orders; ROLLBACK;', 'rolled-back'],
    ["SELECT dblink_exec('conn', 'DROP TABLE x')", 'unknown'],
    ['DROP TABLE orders SELEC', 'unknown'],
];

describe('finding kinds', () => {
  it.each(KIND_CASES)('%s → %s', async (sql, kind) => {
    expect(await kinds(sql)).toEqual([kind]);
  });
});

describe('not destructive', () => {
  it.each([
    'SELECT * FROM deleted_orders',
    'SELECT * FROM orders WHERE status = \'dropped\'',
    '-- DROP TABLE orders\nSELECT 1',
    '/* DROP TABLE orders; */ SELECT 1',
    "SELECT 'DROP TABLE orders; TRUNCATE x'",
    'SELECT $$DROP TABLE orders$$',
    'SELECT $body$ DELETE FROM orders $body$',
    "SELECT E'it\\'s; DROP TABLE orders'",
    'SELECT "drop table" FROM t',
    'DELETE FROM orders WHERE id = 5',
    'DELETE FROM orders WHERE false',
    'DELETE FROM orders WHERE 1 = 2',
    'DELETE FROM orders WHERE CURRENT OF c',
    'UPDATE users SET name = $1 WHERE id = $2',
    'EXPLAIN DELETE FROM orders',
    "EXPLAIN (ANALYZE false) DELETE FROM orders",
    'INSERT INTO orders VALUES (1) ON CONFLICT (id) DO UPDATE SET total = excluded.total',
    'CREATE TABLE drop_log (id int)',
    'ALTER TABLE users ALTER COLUMN email DROP NOT NULL',
    'ALTER TABLE users ADD COLUMN updated_at timestamptz',
    'GRANT SELECT ON orders TO PUBLIC',
    'REVOKE ALL ON orders FROM intern',
    "DO $$ BEGIN RAISE NOTICE 'cleanup done'; END $$",
    'BEGIN; SELECT 1; COMMIT;',
    "COPY orders TO STDOUT WITH (FORMAT csv)",
  ])('%s', async (sql) => {
    expect(await analyze(sql)).toEqual([]);
  });
});

describe('details', () => {
  it('DROP TABLE carries the statement, schema-qualified tables, CASCADE and the origin', async () => {
    const [f] = await analyze('-- cleanup\nDROP TABLE IF EXISTS public.orders, items CASCADE;', { origin: '-c' });
    expect(f!.details).toMatchObject({ statement: 'DROP TABLE IF EXISTS public.orders, items CASCADE', tables: ['public.orders', 'items'], cascade: true, origin: '-c' });
    expect(f!.detail).toBe('DROP TABLE IF EXISTS public.orders, items CASCADE (from -c)');
  });

  it('DROP DATABASE names the database; TRUNCATE without CASCADE says so', async () => {
    expect((await analyze('DROP DATABASE "Shop"'))[0]!.details).toMatchObject({ database: 'Shop' });
    expect((await analyze('TRUNCATE orders'))[0]!.details).toMatchObject({ tables: ['orders'], cascade: false });
  });

  it('a ROLLBACK-ended transaction is still reported, with the kind it would have had', async () => {
    const f = await analyze('BEGIN;\nDELETE FROM orders;\nROLLBACK;');
    expect(f).toHaveLength(1);
    expect(f[0]!.details).toMatchObject({ rolledBack: true, kindIfCommitted: 'delete-all', tables: ['orders'] });
    expect(f[0]!.detail).toContain('ROLLBACK');
  });

  it('COMMIT, an open transaction at the end, and a ROLLBACK that comes before do not lower anything', async () => {
    expect(await kinds('BEGIN; DROP TABLE a; COMMIT; BEGIN; DROP TABLE b; ROLLBACK;')).toEqual(['drop-table', 'rolled-back']);
    expect(await kinds('BEGIN; DROP TABLE a;')).toEqual(['drop-table']);
    expect(await kinds('ROLLBACK; DROP TABLE a;')).toEqual(['drop-table']);
    expect(await kinds('BEGIN; SAVEPOINT s; DROP TABLE a; ROLLBACK TO SAVEPOINT s; COMMIT;')).toEqual(['drop-table']);
  });

  it('a static DO block body is analyzed statement by statement', async () => {
    const f = await analyze('DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM orders; IF n > 0 THEN TRUNCATE orders; END IF; END $$;');
    expect(f.map((x) => x.kind)).toEqual(['truncate']);
    expect(f[0]!.details).toMatchObject({ inDoBlock: true, tables: ['orders'] });
  });

  it('every destructive statement of a multi-statement script is found, in order', async () => {
    const script = 'BEGIN;\nCREATE TABLE t2 (id int);\nINSERT INTO t2 SELECT 1;\nDROP TABLE t1;\nUPDATE t2 SET id = 2;\nCOMMIT;\n';
    expect(await kinds(script)).toEqual(['drop-table', 'update-all']);
  });
});

describe('psql scripts', () => {
  it('psql variables from -v are substituted before parsing (:name, :\'name\', :"name")', async () => {
    const f = await analyze('DROP TABLE :"tbl"; DELETE FROM :tbl; SELECT :\'tbl\';', { argv: ['psql', '-v', 'tbl=orders'] });
    expect(f.map((x) => [x.kind, x.details?.tables])).toEqual([['drop-table', ['orders']], ['delete-all', ['orders']]]);
    expect(await kinds(':cmd;', { argv: ['psql', '--set=cmd=DROP DATABASE shop'] })).toEqual(['drop-database']);
  });

  it('an unknown variable does not break parsing; one only known at run time is unknown', async () => {
    expect((await analyze('DROP TABLE :tbl;'))[0]!.details).toMatchObject({ tables: [':tbl'] });
    expect(await analyze('SELECT * FROM orders WHERE id = :id;')).toEqual([]);
    expect(await kinds("\\prompt 'table? ' t\nTRUNCATE :t;")).toEqual(['unknown', 'truncate']);
    expect(await kinds('\\prompt x\n:x;')).toEqual(['unknown']);
  });

  it('psql does not substitute variables in a -c string', async () => {
    // psql sends `:cmd` to the server as written (a syntax error); it never becomes DROP DATABASE.
    expect(await kinds(':cmd', { origin: '-c', argv: ['psql', '-v', 'cmd=DROP DATABASE shop'] })).toEqual(['unknown']);
    expect(await kinds(':cmd', { origin: 'stdin', argv: ['psql', '-v', 'cmd=DROP DATABASE shop'] })).toEqual(['drop-database']);
  });

  it('casts and array slices are not variables', async () => {
    expect(await analyze("SELECT '1'::int, (ARRAY[1,2,3])[1:2]; DELETE FROM t WHERE id = 1::int;")).toEqual([]);
  });

  it('COPY … FROM stdin data is data, not SQL (also after pg_dump\'s leading comments)', async () => {
    expect(await analyze('COPY orders (id, note) FROM stdin;\n1\tDROP TABLE orders;\n2\t\\.x\n\\.\nSELECT 1;')).toEqual([]);
    expect(await analyze('--\n-- Data for Name: orders\n--\n\nCOPY public.orders (id) FROM stdin;\n1\n2\n\\.\n\n\\unrestrict abc\n')).toEqual([]);
  });

  it('-S (single-line mode) ends a statement at the newline', async () => {
    const sql = 'DELETE FROM orders\nWHERE id = 5;';
    expect(await kinds(sql)).toEqual([]);
    expect(await kinds(sql, { argv: ['psql', '-S'] })).toEqual(['delete-all', 'unknown']);
  });

  it('CREATE FUNCTION … BEGIN ATOMIC bodies keep their semicolons', async () => {
    expect(await kinds('CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; DROP TABLE z;')).toEqual(['drop-table']);
  });

  it.each([
    ['\\! rm -rf /srv/data', 'runs a shell command'],
    ["SELECT 'DROP TABLE ' || tablename FROM pg_tables \\gexec", 'runs every value'],
    ['\\e', 'editor'],
    ['SELECT * FROM t \\g |sh', 'pipes into a shell'],
    ['\\o |mail ops@example.com', 'pipes into a shell'],
    ['\\set x `cat secret.sql`', 'backquotes'],
    ["\\copy t FROM PROGRAM 'curl -s https://x' CSV", 'PROGRAM'],
    ['\\i /nonexistent/blastgate.sql', 'cannot read'],
    ['\\frobnicate', 'unknown meta-command'],
  ])('%s → meta-hidden', async (script, note) => {
    const f = await analyze(script);
    expect(f.map((x) => x.kind)).toEqual(['meta-hidden']);
    expect(f[0]!.detail).toContain(note);
  });

  it.each(['\\dt+ public.*', '\\echo dropping nothing', '\\set ON_ERROR_STOP on', '\\timing on', '\\c shop', "\\copy orders TO 'orders.csv' CSV", '\\x\n\\pset format wrapped'])(
    '%s is harmless',
    async (script) => {
      expect(await analyze(script)).toEqual([]);
    },
  );

  it('\\copy (query) TO is read as COPY: a DELETE inside is found', async () => {
    expect(await kinds("\\copy (DELETE FROM orders RETURNING *) TO 'gone.csv'")).toEqual(['delete-all']);
  });

  it('\\i and \\ir files are analyzed when readable, relative to the working dir and the including file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bg-sql-'));
    mkdirSync(join(root, 'sql'));
    writeFileSync(join(root, 'sql', 'main.sql'), 'SELECT 1;\n\\ir teardown.sql\n');
    writeFileSync(join(root, 'sql', 'teardown.sql'), 'DROP SCHEMA app CASCADE;\n');
    const f = await analyze('\\i sql/main.sql', { cwd: root });
    expect(f.map((x) => x.kind)).toEqual(['drop-schema']);
    expect(f[0]!.details).toMatchObject({ origin: '\\ir teardown.sql', schemas: ['app'] });
  });

  it('an \\i that includes itself stops at the nesting limit and says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bg-sql-'));
    writeFileSync(join(root, 'loop.sql'), '\\ir loop.sql\n');
    const f = await analyze('\\i loop.sql', { cwd: root });
    expect(f.map((x) => x.kind)).toEqual(['meta-hidden']);
    expect(f[0]!.detail).toContain('nest deeper');
  });
});

describe('shell words only known at run time', () => {
  it('DROP TABLE $t is still a DROP TABLE (and the unknown word is said)', async () => {
    const f = await analyze('DROP TABLE $t', { origin: '-c' });
    expect(f.map((x) => x.kind)).toEqual(['unknown', 'drop-table']);
    expect(f[1]!.details).toMatchObject({ tables: ['$t'] });
    expect(await kinds("DROP TABLE {}", { origin: '-c' })).toEqual(['unknown', 'drop-table']);
  });

  it('SQL that is entirely a variable, or reads from one, is unknown', async () => {
    expect(await kinds('$SQL', { origin: '-c' })).toEqual(['unknown']);
    expect(await kinds('SELECT * FROM ${TABLE}', { origin: '-c' })).toEqual(['unknown']);
    expect(await kinds('$(cat migration.sql)', { origin: '-c' })).toEqual(['unknown']);
  });

  it('parameters and dollar quotes are SQL, not shell words', async () => {
    expect(await analyze('DELETE FROM orders WHERE id = $1', { origin: '-c' })).toEqual([]);
    expect(await analyze('SELECT $q$ $x $q$', { origin: '-c' })).toEqual([]);
  });
});

describe('unreadable input', () => {
  it('a payload that could not be read is unknown', async () => {
    const f = await analyze(null);
    expect(f).toEqual([expect.objectContaining({ kind: 'unknown', detail: 'cannot read x.sql (ENOENT)' })]);
  });

  it('an unterminated statement at the end of a script is unknown', async () => {
    expect(await kinds('DELETE FROM orders WHERE')).toEqual(['unknown']);
  });
});

describe('prefilter', () => {
  it('lets through every destructive keyword, even in comments and strings', () => {
    for (const s of ['-- drop', "SELECT 'truncate'", 'DELETE', 'update', 'revoke', 'DO $$', 'lo_unlink', 'TO PROGRAM', 'dblink_exec', '\\i x', '$SQL', '`cat x.sql`', 'DROP TABLE {}']) {
      expect(MAY_DESTROY.test(s), s).toBe(true);
    }
  });

  it('keeps out plain reads and inserts', () => {
    for (const s of ['SELECT * FROM orders', "INSERT INTO orders VALUES (1, 'done')", 'CREATE INDEX i ON orders (id)', 'VACUUM ANALYZE orders']) {
      expect(MAY_DESTROY.test(s), s).toBe(false);
    }
  });

  it('every statement that yields a finding above passes the prefilter (it would not be skipped)', () => {
    for (const [sql, kind] of KIND_CASES) if (kind !== 'unknown') expect(MAY_DESTROY.test(sql), sql).toBe(true);
  });
});

describe('SQL that destroys without the usual words (issue 10)', () => {
  it.each([
    ['ALTER TABLE orders ALTER COLUMN total TYPE int USING 0', 'update-all'],
    ['ALTER TABLE orders ALTER COLUMN total TYPE bigint', 'alter-type'],
    ['CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM orders $$; SELECT wipe()', 'delete-all'],
    ['CREATE OR REPLACE FUNCTION wipe() RETURNS void AS $$ BEGIN TRUNCATE orders; END $$ LANGUAGE plpgsql', 'truncate'],
    ['CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; RETURN NEW; END $$', 'delete-all'],
    ['CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN DROP TABLE orders; END $$; CALL p()', 'drop-table'],
    ['CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$ BEGIN UPDATE orders SET total = 0; RETURN NEXT 1; END $$', 'update-all'],
    ['CREATE PROCEDURE p() BEGIN ATOMIC DELETE FROM orders; END', 'delete-all'],
    ['CREATE RULE r AS ON INSERT TO audit DO ALSO DELETE FROM orders', 'delete-all'],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE plpython3u AS $$ plpy.execute('TRUNCATE orders') $$", 'unknown'],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE c AS 'wipe.so', 'wipe'", 'unknown'],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'TRUNC' || 'ATE orders'; END $$", 'unknown'],
    ["SELECT * FROM dblink('dbname=shop', 'DELETE FROM orders RETURNING 1') AS t(x int)", 'unknown'],
    ["SELECT dblink_exec('dbname=shop', 'TRUNCATE orders')", 'unknown'],
    ['INSERT INTO orders SELECT * FROM orders ON CONFLICT (id) DO UPDATE SET total = 0', 'update-all'],
    ['INSERT INTO orders SELECT * FROM staging ON CONFLICT (id) DO UPDATE SET total = 0', 'unbounded-write'],
    ['INSERT INTO orders (id) VALUES ((SELECT max(id) FROM orders)) ON CONFLICT (id) DO UPDATE SET total = 0', 'unbounded-write'],
    ['DELETE FROM orders WHERE EXISTS (SELECT 1)', 'delete-all'],
    ['DELETE FROM orders WHERE EXISTS (SELECT 1 FROM orders)', 'delete-all'],
    ['DELETE FROM orders WHERE (SELECT true)', 'delete-all'],
    ['DELETE FROM orders WHERE coalesce(true)', 'delete-all'],
    ['DELETE FROM orders WHERE coalesce(NULL, 1 = 1)', 'delete-all'],
    ["DELETE FROM orders WHERE 'a' ~ 'a'", 'delete-all'],
    ["DELETE FROM orders WHERE 'a' !~ 'b'", 'delete-all'],
    ['DELETE FROM orders WHERE id IN (SELECT id FROM orders)', 'delete-all'],
    ['DELETE FROM orders WHERE 1 IN (1, 2)', 'delete-all'],
    ['DELETE FROM orders WHERE id IS NOT NULL', 'unbounded-write'],
    ['DELETE FROM orders WHERE id > 0', 'unbounded-write'],
    ['DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE total > 0)', 'unbounded-write'],
    ['UPDATE orders SET total = 0 WHERE total IS NULL OR id = 1', 'unbounded-write'],
    ['DELETE FROM orders o USING customers c WHERE o.customer_id = c.id', 'unbounded-write'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'unbounded-write'],
  ])('%s → %s', async (sql, kind) => {
    expect(await kinds(sql, { origin: '-c' })).toContain(kind);
  });

  it.each([
    'DELETE FROM orders WHERE id = 5',
    'DELETE FROM orders WHERE id IN (1, 2, 3)',
    'DELETE FROM orders WHERE id = ANY($1)',
    'DELETE FROM orders WHERE id = ANY(ARRAY[1, 2])',
    'UPDATE orders SET total = 0 WHERE id = $1 AND total > 0',
    'UPDATE orders SET total = 0 WHERE id = 1 OR id = 2',
    'UPDATE orders SET total = 0 WHERE id = (SELECT max(id) FROM orders)',
    'INSERT INTO orders (id, total) VALUES (1, 0), (2, 0) ON CONFLICT (id) DO UPDATE SET total = excluded.total',
    'INSERT INTO orders SELECT * FROM staging ON CONFLICT (id) DO NOTHING',
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log VALUES (now()); END $$",
    "SELECT dblink_connect('dbname=shop')",
  ])('bounded or harmless: %s', async (sql) => {
    expect(await kinds(sql, { origin: '-c' })).toEqual([]);
  });

  it('says where a function body runs', async () => {
    const [f] = await analyze('CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM orders $$', { origin: '-c' });
    expect(f!.details).toMatchObject({ inFunction: 'wipe()', tables: ['orders'] });
    expect(f!.detail).toContain('in the body of wipe()');
  });

  it('names the columns that only need to be non-null, for the resolver to check against the schema', async () => {
    const [f] = await analyze('DELETE FROM orders WHERE id IS NOT NULL AND true', { origin: '-c' });
    expect(f!.details).toMatchObject({ notNullColumns: ['id'], tables: ['orders'] });
  });

  it('lets every new trigger word through the prefilter', () => {
    for (const s of ['ALTER TABLE orders ALTER COLUMN total TYPE int USING 0', 'MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'x'; END $$", "SELECT * FROM dblink('x', 'y') AS t(a int)"]) {
      expect(MAY_DESTROY.test(s), s).toBe(true);
    }
  });
});

describe('temporary tables created by the same script', () => {
  it('dropping or emptying them in one -c string is only a low temp-table finding', async () => {
    expect(await kinds('CREATE TEMP TABLE t AS SELECT 1 AS x; DROP TABLE t;', { origin: '-c' })).toEqual(['temp-table']);
    expect(await kinds('CREATE TEMPORARY TABLE t (x int); DELETE FROM t; TRUNCATE t; DROP TABLE pg_temp.t', { origin: '-c' })).toEqual(['temp-table', 'temp-table', 'temp-table']);
  });

  it('with ON_ERROR_STOP, -1 or inside BEGIN a file may drop them too', async () => {
    const sql = 'CREATE TEMP TABLE t (x int);\nDROP TABLE t;\n';
    expect(await kinds(sql, { origin: '-f x.sql', argv: ['psql', '-v', 'ON_ERROR_STOP=1'] })).toEqual(['temp-table']);
    expect(await kinds(sql, { origin: '-f x.sql', argv: ['psql', '-1'] })).toEqual(['temp-table']);
    expect(await kinds(`BEGIN;\n${sql}COMMIT;\n`, { origin: '-f x.sql' })).toEqual(['temp-table']);
  });

  it('a file that goes on after errors may reach a real table of the same name when the CREATE fails', async () => {
    expect(await kinds('CREATE TEMP TABLE orders AS SELECT * FROM missing;\nDROP TABLE orders;\n', { origin: '-f x.sql' })).toEqual(['drop-table']);
  });

  it('a real table, another schema, a new session or a moved search_path is still reported', async () => {
    expect(await kinds('CREATE TEMP TABLE t (x int); DROP TABLE t, orders', { origin: '-c' })).toEqual(['drop-table']);
    expect(await kinds('CREATE TEMP TABLE orders (x int); DROP TABLE public.orders', { origin: '-c' })).toEqual(['drop-table']);
    expect(await kinds('CREATE TABLE orders_new (x int); DROP TABLE orders_new', { origin: '-c' })).toEqual(['drop-table']);
    expect(await kinds("CREATE TEMP TABLE orders (x int); SET search_path = public, pg_temp; DROP TABLE orders", { origin: '-c' })).toEqual(['drop-table']);
    expect(await kinds('CREATE TEMP TABLE orders (x int);\n\\c shop\nDROP TABLE orders;\n', { origin: '-f x.sql', argv: ['psql', '-v', 'ON_ERROR_STOP=1'] })).toEqual(['drop-table']);
    const viaEnv = await analyzeSql([{ text: 'CREATE TEMP TABLE orders (x int); DROP TABLE orders', origin: '-c' }], { cwd: tmpdir(), env: { PGOPTIONS: '-c search_path=public,pg_temp' }, argv: ['psql'] });
    expect(viaEnv.map((f) => f.kind)).toEqual(['drop-table']);
  });
});

describe('function parameters and PL/pgSQL variables hold one value per statement', () => {
  it.each([
    'CREATE FUNCTION del(p_id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE id = p_id $$',
    'CREATE FUNCTION del(p_id int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE id = p_id; END $$',
    'CREATE FUNCTION del() RETURNS void LANGUAGE plpgsql AS $$ DECLARE v int := 3; BEGIN UPDATE orders SET total = 0 WHERE id = v; END $$',
    'CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM order_items WHERE order_id = old.id; RETURN old; END $$',
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ DECLARE r record; BEGIN FOR r IN SELECT id FROM stale LOOP DELETE FROM orders WHERE id = r.id; END LOOP; END $$",
  ])('bounded: %s', async (sql) => {
    expect(await kinds(sql, { origin: '-c' })).toEqual([]);
  });

  it.each([
    ['CREATE FUNCTION del(p_id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE id > p_id $$', 'unbounded-write'],
    ['CREATE FUNCTION del(p_id int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE p_id = p_id; END $$', 'delete-all'],
    ['DELETE FROM orders WHERE id = total', 'unbounded-write'],
  ])('still unbounded: %s', async (sql, kind) => {
    expect(await kinds(sql, { origin: '-c' })).toEqual([kind]);
  });
});

describe('regular expressions between constants', () => {
  it('an invalid pattern is not "always true" and does not break the analysis', async () => {
    expect(await kinds("DELETE FROM orders WHERE 'a' ~ '('", { origin: '-c' })).toEqual(['unbounded-write']);
  });

  it('a bracket expression (POSIX and JS read it differently) is not folded', async () => {
    expect(await kinds("DELETE FROM orders WHERE 'a' ~ '[[:alpha:]]'", { origin: '-c' })).toEqual(['unbounded-write']);
  });
});
