// Issue 10, "SQL that destroys without the words the analyzer looks for": every line that changed rows on
// a real server now stops at the shim for an agent (the rows and tables are checked on the real
// PostgreSQL afterwards), a person is stopped where the server's schema proves "every row", and the two
// false alarms (`pg_dump shop | psql -d shop_copy`, a temp table dropped in the same -c) run untouched.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { bash, makeWorld, shq, type ShimWorld } from '../shims/shim-sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const ROWS = 50;

let pg: TestPostgres;
let world: ShimWorld;
let shimPath: string;

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
  pg = await startPostgres();
  await pg.psql('CREATE DATABASE shop');
  await pg.psql('CREATE DATABASE shop_copy');
  // dblink lets the DELETE run through a second connection when it is installed (postgresql-contrib).
  await pg.psql('CREATE EXTENSION dblink', 'shop').catch(() => undefined);
  world = makeWorld();
  await world.shims(['psql', 'pgbench'], { full: 'real' });
  shimPath = world.pathWith(join(world.root, 'shims'));
}, 90_000);

afterAll(async () => {
  await pg?.stop();
  if (world) rmSync(world.root, { recursive: true, force: true });
});

// Every case starts from the same rows: orders(id PRIMARY KEY, total) holding 1..ROWS with total = id.
beforeEach(async () => {
  await pg.psql(`DROP TABLE IF EXISTS orders, notes CASCADE; DROP FUNCTION IF EXISTS wipe() CASCADE;
    CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL);
    INSERT INTO orders SELECT g, g FROM generate_series(1, ${ROWS}) g; ANALYZE orders;
    CREATE TABLE notes (body text); INSERT INTO notes VALUES ('a'), ('b');`, 'shop');
});

const conn = (db = 'shop') => `-X -q -h ${shq(pg.host)} -p ${pg.port} -U postgres -d ${db}`;
const env = (actor: 'agent' | 'human') =>
  ({ ...world.env, PATH: shimPath, BLASTGATE_APPROVAL_WAIT: '0', ...(actor === 'agent' ? { CLAUDECODE: '1' } : {}) }) as Record<string, string>;
/** Rows still there, and the sum of their totals (ALTER … USING 0 / an upsert keep the rows but zero them). */
const orders = async () => pg.psql('SELECT count(*) || \' \' || sum(total) FROM orders', 'shop');
const INTACT = `${ROWS} ${(ROWS * (ROWS + 1)) / 2}`;

const HIDDEN: Array<[string, string]> = [
  ['ALTER … TYPE … USING', 'ALTER TABLE orders ALTER COLUMN total TYPE int USING 0'],
  ['a SQL function', 'CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM orders $$; SELECT wipe()'],
  ['a PL/pgSQL function', 'CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; END $$; SELECT wipe()'],
  ['a trigger', "CREATE FUNCTION wipe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; RETURN NEW; END $$; CREATE TRIGGER t AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION wipe(); INSERT INTO notes VALUES ('c')"],
  ['dblink', "SELECT * FROM dblink('dbname=shop', 'DELETE FROM orders RETURNING 1') AS t(x int)"],
  ['an upsert over the same table', 'INSERT INTO orders SELECT * FROM orders ON CONFLICT (id) DO UPDATE SET total = 0'],
  ['IS NOT NULL on the key', 'DELETE FROM orders WHERE id IS NOT NULL'],
  ['a range', 'DELETE FROM orders WHERE id > 0'],
  ['EXISTS (SELECT 1)', 'DELETE FROM orders WHERE EXISTS (SELECT 1)'],
  ['(SELECT true)', 'DELETE FROM orders WHERE (SELECT true)'],
  ['coalesce(true)', 'DELETE FROM orders WHERE coalesce(true)'],
  ["'a' ~ 'a'", "DELETE FROM orders WHERE 'a' ~ 'a'"],
  ['a subquery over the same table', 'DELETE FROM orders WHERE id IN (SELECT id FROM orders)'],
];

describe('SQL that destroys without the usual words, sent by an agent through the psql shim', () => {
  it.each(HIDDEN)('%s: refused (77), the rows are unchanged', async (_name, sql) => {
    const r = bash(`psql ${conn()} -c ${shq(sql)}`, { env: env('agent') });
    expect(r.code, r.stderr).toBe(77);
    expect(await orders()).toBe(INTACT);
  });

  it('pgbench -n -t 1 -f drop.sql shop: refused, the table is still there', async () => {
    const dir = mkdtempSync(join(world.root, 'bench-'));
    writeFileSync(join(dir, 'drop.sql'), 'DROP TABLE orders;\n');
    const r = bash(`pgbench -n -t 1 -f drop.sql -h ${shq(pg.host)} -p ${pg.port} -U postgres shop`, { env: env('agent'), cwd: dir });
    expect(r.code, r.stderr).toBe(77);
    expect(await orders()).toBe(INTACT);
  });
});

describe('a person', () => {
  // `id > 0` is the one line a person may run (medium: a range is ordinary work for a person).
  it.each(HIDDEN.filter(([name]) => name !== 'a range'))('%s: stopped for a person too (no terminal: a pending request, 77)', async (_name, sql) => {
    const r = bash(`psql ${conn()} -c ${shq(sql)}`, { env: env('human') });
    expect(r.code, r.stderr).toBe(77);
    expect(await orders()).toBe(INTACT);
  });

  it('DELETE … WHERE id IS NOT NULL: the server says id is NOT NULL, so it is every row — stopped', async () => {
    const r = bash(`psql ${conn()} -c 'DELETE FROM orders WHERE id IS NOT NULL'`, { env: env('human') });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('declared NOT NULL');
    expect(await orders()).toBe(INTACT);
  });

  it('DELETE … WHERE body IS NOT NULL on a nullable column is ordinary work: it runs', async () => {
    const r = bash(`psql ${conn()} -c 'DELETE FROM notes WHERE body IS NOT NULL'`, { env: env('human') });
    expect(r.code, r.stderr).toBe(0);
    expect(await pg.psql('SELECT count(*) FROM notes', 'shop')).toBe('0');
  });
});

describe('the false alarms run for an agent', () => {
  it('pg_dump shop | psql -d shop_copy copies the table', async () => {
    const r = bash(`pg_dump -h ${shq(pg.host)} -p ${pg.port} -U postgres shop | psql ${conn('shop_copy')}`, { env: env('agent') });
    expect(r.code, r.stderr).toBe(0);
    expect(await pg.psql('SELECT count(*) || \' \' || sum(total) FROM orders', 'shop_copy')).toBe(INTACT);
    await pg.psql('DROP TABLE orders, notes', 'shop_copy');
  });

  it("psql -c 'CREATE TEMP TABLE t AS SELECT 1 AS x; DROP TABLE t;' runs", () => {
    const r = bash(`psql ${conn()} -A -t -c 'CREATE TEMP TABLE t AS SELECT 1 AS x; DROP TABLE t;' -c 'SELECT 42'`, { env: env('agent') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString('utf8').trim()).toBe('42');
  });

  it('a temp table of the same name as a real one, on a server whose search_path puts pg_temp last: stopped, the real table stays', async () => {
    await pg.psql('CREATE DATABASE shop_sp');
    await pg.psql("ALTER DATABASE shop_sp SET search_path = public, pg_temp");
    await pg.psql('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)', 'shop_sp');
    const r = bash(`psql ${conn('shop_sp')} -c 'CREATE TEMP TABLE orders AS SELECT 1 AS x; DROP TABLE orders;'`, { env: env('agent') });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('pg_temp is not searched first');
    expect(await pg.psql('SELECT count(*) FROM public.orders', 'shop_sp')).toBe('1');
  });

  it('but pg_dump --clean shop | psql -d shop_copy is stopped, and the copy keeps its table', async () => {
    await pg.psql('CREATE TABLE keep (x int); INSERT INTO keep VALUES (1)', 'shop_copy');
    await pg.psql('CREATE TABLE keep (x int)', 'shop');
    const r = bash(`pg_dump --clean -h ${shq(pg.host)} -p ${pg.port} -U postgres shop | psql ${conn('shop_copy')}`, { env: env('agent') });
    expect(r.code, r.stderr).toBe(77);
    expect(await pg.psql('SELECT count(*) FROM keep', 'shop_copy')).toBe('1');
    await pg.psql('DROP TABLE keep', 'shop_copy');
    await pg.psql('DROP TABLE keep', 'shop');
  });
});
