// End to end through the psql shim, with a real PostgreSQL server, real psql and the built blastgate:
// a DROP is refused with the row count in the request, an approved TRUNCATE reaches psql byte for byte,
// and a harmless SELECT passes untouched.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile } from '../../src/approvals/keys.js';
import { listPending } from '../../src/approvals/store.js';
import { resolvePaths, type Paths } from '../../src/config/paths.js';
import { blastgateArgv, PASSPHRASE, startDetached, Terminal, waitFor } from '../confirm/sandbox.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { bash, makeWorld, shq, type ShimWorld } from '../shims/shim-sandbox.js';

vi.setConfig({ testTimeout: 90_000 });

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const ROWS = 500;

let pg: TestPostgres;
let world: ShimWorld;
let paths: Paths;
let shimPath: string;
const terms: Terminal[] = [];

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
  pg = await startPostgres();
  await pg.psql('CREATE DATABASE shop');
  await pg.psql(`CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, ${ROWS}); ANALYZE orders;
    CREATE TABLE deleted_orders (id int); INSERT INTO deleted_orders VALUES (7); CREATE TABLE notes (body text);`, 'shop');
  world = makeWorld();
  await world.shims(['psql'], { full: 'real' });
  shimPath = world.pathWith(join(world.root, 'shims'));
  paths = resolvePaths(world.env);
  writeKeyFile(join(paths.configDir, 'approval-key.json'), createKeyFile(PASSPHRASE), 'user');
}, 90_000);

afterAll(async () => {
  for (const t of terms.splice(0)) t.kill();
  await pg?.stop();
});

const psqlLine = (rest: string) => `psql -X -q -h ${shq(pg.host)} -p ${pg.port} -U postgres -d shop ${rest}`;
const agentEnv = (wait: string) => ({ ...world.env, PATH: shimPath, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: wait }) as Record<string, string>;
const rows = async (table: string) => Number(await pg.psql(`SELECT count(*) FROM ${table}`, 'shop'));

describe('psql through the shim', () => {
  it('SELECT * FROM deleted_orders passes untouched: real psql runs and prints its rows', () => {
    const r = bash(psqlLine(`-A -t -c 'SELECT * FROM deleted_orders'`), { env: { ...world.env, PATH: shimPath, CLAUDECODE: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString('utf8')).toBe('7\n');
    expect(listPending(paths)).toEqual([]);
  });

  it("an agent's DROP TABLE orders is refused (77); the request shows orders ~N rows; the table is still there", () => {
    const r = bash(psqlLine(`-c 'DROP TABLE orders'`), { env: agentEnv('0') });
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/blastgate approve [a-z0-9]{8}/);
    const [req] = listPending(paths).filter((p) => p.panel.argv.includes('DROP TABLE orders'));
    expect(req).toBeDefined();
    expect(JSON.stringify(req!.panel.target)).toContain(`orders ~${ROWS} rows`);
    expect(req!.panel.rules).toEqual([expect.objectContaining({ rule: 'psql:drop-table', severity: 'high' })]);
    expect(r.stderr).toContain(`orders ~${ROWS} rows`);
    return rows('orders').then((n) => expect(n).toBe(ROWS));
  });

  it("echo 'TRUNCATE orders; …' | psql waits for a human; once approved the exact bytes reach psql", async () => {
    const note = 'line one\n  ünïcödé ✓ \\n not an escape\ttab';
    const sql = `TRUNCATE orders;\nINSERT INTO notes VALUES ($body$${note}$body$);\n`;
    const gated = startDetached(['/bin/bash', '-c', `printf '%s' ${shq(sql)} | ${psqlLine('')}`], agentEnv('60'), world.root);
    const req = await waitFor(() => listPending(paths).find((p) => p.panel.argv.at(-1) === 'shop' && p.panel.rules.some((x) => x.rule === 'psql:truncate-or-delete-all')), 30_000, 'the pending TRUNCATE request');
    expect(JSON.stringify(req.panel.target)).toContain(`orders ~${ROWS} rows`);
    expect(await rows('orders')).toBe(ROWS);
    const approver = new Terminal(world.root, blastgateArgv(['approve', req.id]), world.env as Record<string, string>, world.root);
    terms.push(approver);
    await approver.answer(/Approval passphrase to approve/, PASSPHRASE);
    expect(await approver.exitCode()).toBe(0);
    const done = await gated.done;
    expect(done.code, done.stderr).toBe(0);
    expect(await rows('orders')).toBe(0);
    expect(await pg.psql('SELECT body FROM notes', 'shop')).toBe(note);
  });
});
