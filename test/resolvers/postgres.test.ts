// The PostgreSQL blast radius against a real server: rows, sizes and dependents of what a command would
// destroy, read-only, and nothing is ever changed by looking.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/commands/check.js';
import { resolvePostgres } from '../../src/resolvers/postgres.js';
import type { Match, Target } from '../../src/types.js';
import { blastgate, sandbox } from '../helpers/cli.js';
import { invocationOf } from '../helpers/process.js';
import { PG_BIN, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const ROWS = 1234;
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
  await pg.psql('CREATE DATABASE shop');
  await pg.psql('CREATE DATABASE shop_production');
  await pg.psql('CREATE ROLE reporting LOGIN');
  await pg.psql(
    `CREATE TABLE orders (id int PRIMARY KEY, total numeric);
     INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, ${ROWS}) g;
     CREATE TABLE order_items (id int, order_id int REFERENCES orders (id));
     CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
     CREATE TABLE deleted_orders (id int);
     CREATE TABLE fresh (id int); INSERT INTO fresh SELECT generate_series(1, 37);
     CREATE TABLE reports (id int); ALTER TABLE reports OWNER TO reporting;
     ANALYZE orders;`,
    'shop',
  );
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

const conn = () => ['-h', pg.host, '-p', String(pg.port), '-U', 'postgres'];

interface Verdict {
  decision: string;
  matches: Array<{ rule: string }>;
  target: Target | null;
}

/** `blastgate check --json` in-process, in a sandbox (no user config), with extra environment. */
const check = async (input: { argv?: string[]; shell?: string }, env: Record<string, string> = {}) => {
  const s = sandbox(env);
  let out = '';
  const code = await runCheck({ argv: input.argv ?? [], ...(input.shell ? { shell: input.shell } : {}), json: true, env: s.env, cwd: s.root, out: (t) => (out += t) });
  return { code, verdict: JSON.parse(out) as Verdict };
};

const rowsOf = async (table: string) => Number(await pg.psql(`SELECT count(*) FROM ${table}`, 'shop'));

describe('psql against a real server', () => {
  it('DROP TABLE orders shows "orders ~N rows" and its size; the table is still there afterwards', async () => {
    const { code, verdict } = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-c', 'DROP TABLE orders'] });
    expect(code).toBe(10);
    expect(verdict.matches.map((m) => m.rule)).toEqual(['psql:drop-table']);
    expect(verdict.target).toMatchObject({ kind: 'postgres', name: 'shop', fields: { database: 'shop', user: 'postgres', port: String(pg.port) } });
    expect(String((verdict.target!.fields.tables as string[])[0])).toMatch(new RegExp(`^orders ~${ROWS} rows \\(\\d+ kB\\)$`));
    expect(verdict.target!.resources).toEqual({ count: 1, names: ['orders'], dataHolding: ['orders'] });
    expect(await rowsOf('orders')).toBe(ROWS);
  });

  it("echo 'TRUNCATE orders' | psql … is caught as a shell line, with the row estimate", async () => {
    const { code, verdict } = await check({ shell: `echo 'TRUNCATE orders' | psql -h ${pg.host} -p ${pg.port} -U postgres shop` });
    expect(code).toBe(10);
    expect(verdict.matches.map((m) => m.rule)).toEqual(['psql:truncate-or-delete-all']);
    expect(verdict.target!.fields.tables).toEqual([expect.stringMatching(new RegExp(`^orders ~${ROWS} rows`))]);
    expect(await rowsOf('orders')).toBe(ROWS);
  });

  it('SELECT * FROM deleted_orders is allowed (exit 0) and nothing is resolved', async () => {
    const { code, verdict } = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-c', 'SELECT * FROM deleted_orders'] });
    expect(code).toBe(0);
    expect(verdict).toMatchObject({ decision: 'allow', matches: [], target: null });
  });

  it('CASCADE lists the views and foreign keys that go with the table', async () => {
    const { verdict } = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-c', 'DROP TABLE orders CASCADE'] });
    expect(verdict.target!.fields['cascades to']).toEqual(expect.arrayContaining(['view big_orders', 'table order_items (foreign key order_items_order_id_fkey)']));
  });

  it('a table never analyzed is counted (exactly, so no "~"); a missing table says so', async () => {
    const { verdict } = await check({ argv: ['psql', ...conn(), 'shop', '-c', 'TRUNCATE fresh, nosuchtable'] });
    expect(verdict.target!.fields.tables).toEqual([expect.stringMatching(/^fresh 37 rows \(/), 'nosuchtable (not found in shop)']);
  });

  it('a connection URI (also through $DATABASE_URL) is followed to the same server', async () => {
    const uri = `postgresql://postgres@/shop?host=${encodeURIComponent(pg.host)}&port=${pg.port}`;
    const direct = await check({ argv: ['psql', uri, '-c', 'DELETE FROM orders'] });
    expect(direct.verdict.target!.fields.tables).toEqual([expect.stringMatching(new RegExp(`^orders ~${ROWS} rows`))]);
    const viaEnv = await check({ shell: `psql "$DATABASE_URL" -c 'DELETE FROM orders WHERE 1=1'` }, { DATABASE_URL: uri });
    expect(viaEnv.verdict.target).toMatchObject({ name: 'shop', fields: { database: 'shop', tables: [expect.stringMatching(/^orders ~/)] } });
  });

  it('PGHOST/PGPORT/PGUSER/PGDATABASE alone are enough', async () => {
    const { verdict } = await check({ argv: ['psql', '-c', 'UPDATE orders SET total = 0'] }, { PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: 'postgres', PGDATABASE: 'shop' });
    expect(verdict.target).toMatchObject({ name: 'shop', fields: { tables: [expect.stringMatching(/^orders ~1234 rows/)] } });
  });

  it('DROP DATABASE names the database to type and its size; production names make it production', async () => {
    const { code, verdict } = await check({ argv: ['psql', ...conn(), '-d', 'postgres', '-c', 'DROP DATABASE shop_production'] });
    expect(code).toBe(10);
    expect(verdict.target).toMatchObject({ name: 'shop_production', fields: { 'drops database': [expect.stringMatching(/^shop_production \(\d+ kB, 0 other open connections\)$/)] } });
    expect((verdict as unknown as { blast: { production: unknown } }).blast.production).toBe(true);
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname = 'shop_production'")).toBe('1');
  });

  it('DROP SCHEMA counts its tables; DROP OWNED BY names what the role owns', async () => {
    const schema = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-c', 'DROP SCHEMA public CASCADE'] });
    expect(schema.verdict.target!.fields.schemas).toEqual([expect.stringMatching(/^public: 5 tables, ~1234 rows \(\d+ kB\), largest orders/)]);
    const owned = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-c', 'DROP OWNED BY reporting'] });
    expect(owned.verdict.target!.fields['owned by reporting']).toBe('1 tables (reports); can log in');
  });

  it('a table name cannot smuggle SQL into the lookup', async () => {
    const nasty = '"x$bg$); DROP TABLE orders; --"';
    const { verdict } = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-c', `DROP TABLE ${nasty}`] });
    expect(verdict.target!.fields.tables).toEqual(['x$bg$); DROP TABLE orders; -- (not found in shop)']);
    expect(await rowsOf('orders')).toBe(ROWS);
  });

  it('an unreachable server leaves the sizes unknown, keeps host and database, and still asks', async () => {
    const { code, verdict } = await check({ argv: ['psql', '-h', pg.host, '-p', '1', '-U', 'postgres', '-d', 'shop', '-c', 'DROP TABLE orders'] });
    expect(code).toBe(10);
    expect(verdict.target).toMatchObject({ name: 'shop', fields: { database: 'shop', port: '1' }, unresolved: ['tables'] });
    expect(verdict.target!.notes!.join(' ')).toMatch(/could not ask the server/);
  });
});

describe('dropdb, dropuser and pg_restore against a real server', () => {
  it('dropdb shop: the name to type, its size and largest tables; the database survives the look', async () => {
    const { code, verdict } = await check({ argv: ['dropdb', ...conn(), 'shop'] });
    expect(code).toBe(10);
    expect(verdict.matches.map((m) => m.rule)).toEqual(['dropdb:drop-database']);
    expect(verdict.target).toMatchObject({ kind: 'postgres', name: 'shop', fields: { database: 'shop', size: expect.stringMatching(/\d+ kB|MB/) } });
    expect(verdict.target!.fields.tables).toEqual([expect.stringMatching(/^5 tables, ~1234 rows; largest orders/)]);
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname = 'shop'")).toBe('1');
  });

  it('dropuser reporting: the role, whether it can log in, what it owns', async () => {
    const { verdict } = await check({ argv: ['dropuser', ...conn(), 'reporting'] });
    expect(verdict.target).toMatchObject({ name: 'reporting', fields: { role: 'reporting', 'owned by reporting': '0 tables; can log in' } });
  });

  it('pg_restore --clean lists the archive tables with their rows in the target database', async () => {
    const dump = join(sandbox().root, 'shop.dump');
    execFileSync(join(PG_BIN, 'pg_dump'), [...conn(), '-Fc', '-t', 'orders', '-t', 'fresh', '-f', dump, 'shop']);
    const { code, verdict } = await check({ argv: ['pg_restore', '--clean', '--if-exists', ...conn(), '-d', 'shop', dump] });
    expect(code).toBe(10);
    expect(verdict.target!.name).toBe('shop');
    expect([...(verdict.target!.fields.tables as string[])].sort()).toEqual([expect.stringMatching(/^fresh 37 rows/), expect.stringMatching(/^orders ~1234 rows/)]);
    const create = await check({ argv: ['pg_restore', '-c', '-C', ...conn(), '-d', 'postgres', dump] });
    expect(create.verdict.target).toMatchObject({ name: 'shop', fields: { 'recreates database': 'shop', 'drops database': [expect.stringMatching(/^shop \(/)] } });
  });

  it('a plain pg_dump --clean script replayed with psql -f drops every dumped table; without --clean it is harmless', async () => {
    const dir = sandbox().root;
    const clean = join(dir, 'clean.sql');
    const plain = join(dir, 'plain.sql');
    execFileSync(join(PG_BIN, 'pg_dump'), [...conn(), '--clean', '--if-exists', '-f', clean, 'shop']);
    execFileSync(join(PG_BIN, 'pg_dump'), [...conn(), '-f', plain, 'shop']);
    const { code, verdict } = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-f', clean] });
    expect(code).toBe(10);
    expect(verdict.matches.map((m) => m.rule).sort()).toEqual(['psql:alter-drop-constraint', 'psql:drop-object', 'psql:drop-table']);
    expect([...(verdict.target!.fields.tables as string[])].sort()).toEqual([
      expect.stringMatching(/^deleted_orders 0 rows/),
      expect.stringMatching(/^fresh 37 rows/),
      expect.stringMatching(/^order_items 0 rows/),
      expect.stringMatching(/^orders ~1234 rows/),
      expect.stringMatching(/^public\.reports 0 rows|^reports 0 rows/),
    ]);
    const harmless = await check({ argv: ['psql', ...conn(), '-d', 'shop', '-f', plain] });
    expect(harmless.verdict.matches).toEqual([]);
    expect(harmless.code).toBe(0);
  });

  it('pg_dump and createdb are not gated', async () => {
    expect((await check({ argv: ['pg_dump', ...conn(), 'shop'] })).code).toBe(0);
    expect((await check({ argv: ['createdb', ...conn(), 'shop2'] })).code).toBe(0);
  });
});

describe('resolver without a server', () => {
  const inv = (argv: string[]) => invocationOf(argv);
  const m = (tool: string): Match[] => [{ rule: `${tool}:x`, severity: 'high', message: '', tool, invocation: 0 }];
  const ctx = (network: boolean) => ({ env: { PATH: process.env.PATH }, cwd: process.cwd(), timeoutMs: 3000, network, signal: new AbortController().signal });

  it('a remote host is not contacted unless resolve.network allows it, and says why', async () => {
    const t = await resolvePostgres(inv(['psql', '-h', 'db.prod.example.com', '-U', 'app', 'shop', '-c', 'DROP TABLE orders']), m('psql'), ctx(false));
    expect(t).toMatchObject({ name: 'shop', fields: { host: 'db.prod.example.com', user: 'app', database: 'shop' }, unresolved: ['tables'] });
    expect(t!.notes!.join(' ')).toContain('remote and resolve.network is off');
  });

  it('a database only known at run time makes the target unknown, not safe', async () => {
    const t = await resolvePostgres(inv(['psql', '$DATABASE_URL', '-c', 'DROP TABLE orders']), m('psql'), ctx(false));
    expect(t).toMatchObject({ production: 'unknown', unresolved: expect.arrayContaining(['dbname', 'tables']) });
    expect(t!.name).toBeUndefined();
  });

  it('a server that does not answer is given up on within the deadline', async () => {
    const bin = join(sandbox().root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'psql'), '#!/bin/sh\nexec /bin/sleep 30\n', { mode: 0o755 });
    const started = Date.now();
    const t = await resolvePostgres(inv(['psql', '-h', '/tmp', 'shop', '-c', 'DROP TABLE orders']), m('psql'), { ...ctx(false), env: { PATH: bin }, timeoutMs: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(t).toMatchObject({ name: 'shop', unresolved: ['tables'] });
    expect(t!.notes!.join(' ')).toMatch(/no answer within \d+ ms/);
  });

  it('passwords in a URI never reach the target', async () => {
    const t = await resolvePostgres(inv(['psql', 'postgresql://app:hunter2@db.internal/shop', '-c', 'TRUNCATE orders']), m('psql'), ctx(false));
    expect(JSON.stringify(t)).not.toContain('hunter2');
    expect(t!.notes).toContain('a password is configured (not shown)');
  });
});

describe('the built CLI', () => {
  it('blastgate check --json -- psql … DROP TABLE orders prints the row estimate', () => {
    const r = blastgate(['check', '--json', '--', 'psql', ...conn(), '-d', 'shop', '-c', 'DROP TABLE orders'], { env: sandbox().env });
    expect(r.code).toBe(10);
    expect(r.stdout).toContain(`orders ~${ROWS} rows`);
  });
});
