// End to end through the sqlite3 shim with the real sqlite3 and a real database file: an agent's
// DROP TABLE is refused and the table is still there; a SELECT passes and prints its rows.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bash, makeWorld, shq, type ShimWorld } from '../shims/shim-sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let world: ShimWorld;
let db: string;
let shimPath: string;
const count = () => execFileSync('/usr/bin/sqlite3', [db, 'SELECT count(*) FROM orders'], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  world = makeWorld();
  db = join(world.root, 'shop.db');
  execFileSync('/usr/bin/sqlite3', [db, 'CREATE TABLE orders (id INTEGER PRIMARY KEY); INSERT INTO orders (id) VALUES (1), (2), (3);']);
  await world.shims(['sqlite3'], { full: 'real' });
  shimPath = world.pathWith(join(world.root, 'shims'));
});

describe('sqlite3 through the shim', () => {
  it('a SELECT runs untouched', () => {
    const r = bash(`sqlite3 ${shq(db)} 'SELECT id FROM orders ORDER BY id'`, { env: { ...world.env, PATH: shimPath, CLAUDECODE: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString('utf8')).toBe('1\n2\n3\n');
  });

  it.each([
    ['an argument', (f: string) => `sqlite3 ${shq(f)} 'DROP TABLE orders'`],
    ['stdin', (f: string) => `echo 'DELETE FROM orders;' | sqlite3 ${shq(f)}`],
    ['-cmd', (f: string) => `sqlite3 -cmd 'DELETE FROM orders' ${shq(f)} .quit`],
  ])("an agent's destructive SQL in %s is refused (77) and the rows are still there", (_where, line) => {
    const r = bash(line(db), { env: { ...world.env, PATH: shimPath, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' } });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toMatch(/sqlite3:destroy/);
    expect(count()).toBe('3');
  });
});
