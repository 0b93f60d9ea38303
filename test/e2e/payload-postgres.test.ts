// Payloads against a real PostgreSQL through the psql shim: what psql reads on its own (~/.psqlrc, PSQLRC),
// a FIFO that changes after the check, a file rewritten while a human approved it, an agent typing into
// psql's terminal — each refused with the tables still there; and the pipes psql must read itself
// (`-f /dev/stdin`, `-f <(…)`) still reach psql: their rows are inserted.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile } from '../../src/approvals/keys.js';
import { listPending } from '../../src/approvals/store.js';
import { resolvePaths, type Paths } from '../../src/config/paths.js';
import { blastgateArgv, PASSPHRASE, startDetached, Terminal, waitFor } from '../confirm/sandbox.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { bash, makeWorld, shq, type ShimWorld } from '../shims/shim-sandbox.js';

vi.setConfig({ testTimeout: 90_000 });

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

let pg: TestPostgres;
let world: ShimWorld;
let paths: Paths;
let shimPath: string;
let work: string;
const terms: Terminal[] = [];

const TABLES = ['orders', 'customers', 'scratch'];

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
  pg = await startPostgres();
  await pg.psql('CREATE DATABASE shop');
  await pg.psql('CREATE TABLE u (id int)', 'shop');
  world = makeWorld();
  await world.shims(['psql'], { full: 'real' });
  shimPath = world.pathWith(join(world.root, 'shims'));
  paths = resolvePaths(world.env);
  writeKeyFile(join(paths.configDir, 'approval-key.json'), createKeyFile(PASSPHRASE), 'user');
  work = mkdtempSync(join(world.root, 'work-'));
}, 90_000);

beforeEach(async () => {
  // Every test starts with the three tables, each holding rows.
  for (const t of TABLES) await pg.psql(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (id int); INSERT INTO ${t} VALUES (1), (2), (3);`, 'shop');
  await pg.psql('TRUNCATE u', 'shop');
  rmSync(join(world.env.HOME!, '.psqlrc'), { force: true });
});

afterAll(async () => {
  for (const t of terms.splice(0)) t.kill();
  await pg?.stop();
  if (world) rmSync(world.root, { recursive: true, force: true });
});

const conn = () => `-h ${shq(pg.host)} -p ${pg.port} -U postgres -d shop`;
const agentEnv = (wait = '0') => ({ ...world.env, PATH: shimPath, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: wait }) as Record<string, string>;
const humanEnv = () => ({ ...world.env, PATH: shimPath, BLASTGATE_APPROVAL_WAIT: '0' }) as Record<string, string>;
const tablesLeft = async () => (await pg.psql(`SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'`, 'shop')).split(',');
const uRows = async () => (await pg.psql('SELECT coalesce(string_agg(id::text, \',\' ORDER BY id), \'\') FROM u', 'shop'));

describe('what psql reads on its own', () => {
  it("printf 'DROP TABLE orders;' > ~/.psqlrc && psql -c 'select 1': refused (77), orders is still there", async () => {
    const r = bash(`printf 'DROP TABLE orders;\\n' > ~/.psqlrc && psql ${conn()} -c 'select 1'`, { env: agentEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('psql:drop-table');
    expect(r.stderr).toContain('.psqlrc');
    expect(await tablesLeft()).toContain('orders');
  });

  it('PSQLRC=evil.sql psql -c "select 1": refused, orders is still there', async () => {
    writeFileSync(join(work, 'evil.sql'), 'TRUNCATE orders;\n');
    const r = bash(`PSQLRC=evil.sql psql ${conn()} -c 'select 1'`, { env: agentEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toContain('evil.sql');
    expect(await pg.psql('SELECT count(*) FROM orders', 'shop')).toBe('3');
  });

  it('a harmless ~/.psqlrc (\\set, \\timing) changes nothing: psql -c runs and prints its answer', async () => {
    writeFileSync(join(world.env.HOME!, '.psqlrc'), '\\set QUIET 1\n\\timing off\n\\pset null (null)\n');
    const r = bash(`psql ${conn()} -A -t -c 'SELECT count(*) FROM orders'`, { env: agentEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString().trim()).toBe('3');
  });

  it('psql -X ignores ~/.psqlrc, and so does the gate: a harmless -c runs', async () => {
    writeFileSync(join(world.env.HOME!, '.psqlrc'), 'DROP TABLE orders;\n');
    const r = bash(`psql -X ${conn()} -A -t -c 'SELECT 41 + 1'`, { env: agentEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString().trim()).toBe('42');
    expect(await tablesLeft()).toContain('orders');
  });
});

describe('bytes that change after the check', () => {
  it('a FIFO that says SELECT 1 to the check and then DROP TABLE: refused without reading it; orders is still there', async () => {
    writeFileSync(join(work, 'evil.sql'), 'DROP TABLE orders;\n');
    // The writer waits for a reader; the gate must not be that reader. `timeout` ends it when nobody reads.
    const line = `rm -f q.sql; mkfifo q.sql; (timeout 5 sh -c 'echo "SELECT 1;" > q.sql; sleep 1; cat evil.sql > q.sql') & psql -X ${conn()} -f q.sql; rc=$?; wait; exit $rc`;
    const r = bash(line, { env: agentEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toMatch(/FIFO/);
    expect(await tablesLeft()).toContain('orders');
  });

  it("a human approved DROP TABLE scratch from psql -f mig.sql; mig.sql was rewritten during the wait: the new content does not run", async () => {
    const mig = join(work, 'mig.sql');
    writeFileSync(mig, 'DROP TABLE scratch;\n');
    const gated = startDetached(['/bin/bash', '-c', `psql -X ${conn()} -f mig.sql`], agentEnv('12'), work);
    const req = await waitFor(() => listPending(paths).find((p) => p.panel.argv.includes('mig.sql')), 30_000, 'the pending mig.sql request');
    // The agent rewrites the file while the human is looking at "DROP TABLE scratch".
    writeFileSync(mig, 'DROP TABLE scratch;\nDROP TABLE orders;\nDROP TABLE customers;\n');
    const approver = new Terminal(world.root, blastgateArgv(['approve', req.id]), world.env as Record<string, string>, world.root);
    terms.push(approver);
    await approver.answer(/Approval passphrase to approve/, PASSPHRASE);
    expect(await approver.exitCode()).toBe(0);
    const done = await gated.done;
    expect(done.code, done.stderr).toBe(77);
    expect(done.stderr).toContain('mig.sql changed after it was checked');
    expect(await tablesLeft()).toEqual(['customers', 'orders', 'scratch', 'u']);
    // The new content was judged on its own: a second request names the other tables.
    const again = listPending(paths).find((p) => p.id !== req.id && p.panel.argv.includes('mig.sql'));
    expect(JSON.stringify(again?.panel ?? done.stderr)).toMatch(/orders|customers/);
  });
});

describe('pipes psql must read itself are left for psql (issue 16 #2)', () => {
  // psql opens /dev/stdin itself (a replayed socket would not open): the gate leaves the pipe unread, so
  // the SQL is unknown and a human confirms it.
  it('echo "insert into u values (1);" | psql -f /dev/stdin through the shim: confirmed at the terminal, the row is inserted', async () => {
    const line = `echo 'insert into u values (1);' | psql -X ${conn()} -f /dev/stdin`;
    const t = new Terminal(world.root, ['/bin/bash', '-c', line], humanEnv(), work);
    terms.push(t);
    await t.answer(/Type y to proceed/, 'y');
    expect(await t.exitCode()).toBe(0);
    expect(await uRows()).toBe('1');
  });

  it('psql -X -f <(echo "insert into u values (2);") through the shim: unknown to the gate, confirmed at the terminal, the row is inserted', async () => {
    const line = `psql -X ${conn()} -f <(echo 'insert into u values (2);')`;
    const t = new Terminal(world.root, ['/bin/bash', '-c', line], humanEnv(), work);
    terms.push(t);
    const shown = await t.answer(/Type y to proceed/, 'y');
    expect(shown).toMatch(/FIFO or pipe/);
    expect(await t.exitCode()).toBe(0);
    expect(await uRows()).toBe('2');
  });
});

describe('an agent typing into psql on a terminal', () => {
  it("(sleep 2; printf 'DROP TABLE orders;\\n\\\\q\\n') | script -qfec 'psql -d shop' /dev/null as an agent: refused, orders is still there", async () => {
    const line = `(sleep 2; printf 'DROP TABLE orders;\\n\\\\q\\n') | script -qfec ${shq(`psql -X ${conn()}`)} /dev/null`;
    const r = bash(line, { env: agentEnv(), cwd: work });
    expect(r.stdout.toString() + r.stderr).toMatch(/not run: .*reads commands from a terminal/s);
    expect(await tablesLeft()).toContain('orders');
  });

  it('a human in the same terminal session is unchanged: the statement typed runs', async () => {
    const line = `(sleep 2; printf 'INSERT INTO u VALUES (3);\\n\\\\q\\n') | script -qfec ${shq(`psql -X ${conn()}`)} /dev/null`;
    const r = bash(line, { env: humanEnv(), cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(await uRows()).toBe('3');
  });
});

describe('the same attack by a real non-root user', () => {
  const USER = 'bgt-payload';
  const idOf = (flag: string) => Number(spawnSync('id', [flag, USER], { encoding: 'utf8' }).stdout.trim());

  it("bgt-payload: printf 'DROP TABLE orders;' > ~/.psqlrc && psql -c 'select 1' through its shims: 77, orders is still there", async () => {
    if (spawnSync('id', [USER]).status !== 0) spawnSync('useradd', ['-M', '-s', '/bin/bash', USER]);
    const them = makeWorld();
    try {
      await them.shims(['psql'], { full: 'real' });
      chmodSync(them.root, 0o755);
      spawnSync('chown', ['-R', `${idOf('-u')}:${idOf('-g')}`, them.env.HOME!]);
      chmodSync(pg.host, 0o755); // let the user reach the server's socket, so the harm would be real
      const env = { ...them.env, PATH: them.pathWith(join(them.root, 'shims')), CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' };
      const line = `cd ~ && printf 'DROP TABLE orders;\\n' > ~/.psqlrc && psql ${conn()} -c 'select 1'`;
      // runuser resets HOME and friends: hand the whole environment over explicitly.
      const envWords = Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
      const r = spawnSync('runuser', ['-u', USER, '--', '/usr/bin/env', '-i', ...envWords, '/bin/bash', '-c', line], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(77);
      expect(r.stderr).toContain('psql:drop-table');
      expect(await tablesLeft()).toContain('orders');
      // Control: the user really can reach the server, so without the gate the psqlrc would have run.
      const direct = spawnSync('runuser', ['-u', USER, '--', '/usr/bin/psql', '-X', ...conn().replace(/'/g, '').split(' '), '-A', '-t', '-c', 'SELECT count(*) FROM orders'], { encoding: 'utf8' });
      expect(direct.stdout.trim(), direct.stderr).toBe('3');
    } finally {
      rmSync(them.root, { recursive: true, force: true });
    }
  });
});
