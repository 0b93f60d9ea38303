// MySQL and SQLite SQL, parsed with node-sql-parser's dialect grammars and judged like PostgreSQL's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeMysql, analyzeSqlite, judgeDialectSql } from '../../src/analyzers/dialect-sql.js';

const dir = mkdtempSync(join(tmpdir(), 'bg-dialect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mysql = async (sql: string) => (await judgeDialectSql(sql, 'mysql', '-e', dir)).map((f) => f.kind);
const sqlite = async (sql: string) => (await judgeDialectSql(sql, 'sqlite', 'arguments', dir)).map((f) => f.kind);

describe('MySQL', () => {
  it.each([
    ['DROP DATABASE IF EXISTS `shop`', 'drop-database'],
    ['drop table orders, items', 'drop-table'],
    ['TRUNCATE orders', 'truncate'],
    ['DELETE FROM orders', 'delete-all'],
    ['DELETE FROM orders WHERE 1 = 1 LIMIT 100', 'delete-all'],
    ["UPDATE users SET plan = 'free' WHERE 'x' = 'x'", 'update-all'],
    ['ALTER TABLE orders DROP COLUMN total', 'alter-drop'],
    ['CALL purge()', 'unknown'],
    ['DELETE FROM $T', 'unknown'],
  ])('%s → %s', async (sql, kind) => {
    expect(await mysql(sql)).toContain(kind);
  });

  it('passes bounded writes and reads, even when they mention destructive words in strings', async () => {
    expect(await mysql('DELETE FROM orders WHERE id = 42')).toEqual([]);
    expect(await mysql("SELECT 'DROP DATABASE shop' AS note")).toEqual([]);
    expect(await mysql('UPDATE `users` SET `plan` = "pro" WHERE `id` = 7')).toEqual([]);
  });

  it('follows `source FILE` into the file, and a shell escape or DELIMITER is not judged blind', async () => {
    writeFileSync(join(dir, 'wipe.sql'), 'USE shop;\nTRUNCATE orders;\n');
    expect(await mysql(`source ${join(dir, 'wipe.sql')}`)).toEqual(['truncate']);
    expect(await mysql('\\. missing.sql')).toEqual(['meta-hidden']);
    expect(await mysql('system rm -rf /var/lib/mysql')).toEqual(['meta-hidden']);
    expect(await mysql('DELIMITER //\nCREATE PROCEDURE p() BEGIN DELETE FROM t; END //')).toContain('unknown');
  });

  it('does not block on a FIFO named by source', async () => {
    execFileSync('mkfifo', [join(dir, 'q.sql')]);
    expect(await mysql(`source ${join(dir, 'q.sql')}`)).toEqual(['meta-hidden']);
  });

  it('reads -e and stdin payloads through the analyzer entry', async () => {
    const found = await analyzeMysql([{ text: 'DROP TABLE t', origin: '--execute' }, { text: null, origin: 'pipe', problem: 'unknown producer' }], { cwd: dir, env: {}, argv: ['mysql'] });
    expect(found.map((f) => f.kind)).toEqual(['drop-table', 'unknown']);
  });
});

describe('SQLite', () => {
  it('skips the database file argument and judges the SQL after it', async () => {
    const args = (...w: string[]) => w.map((text) => ({ text, origin: 'argument' }));
    const found = await analyzeSqlite(args('drop.db', 'DELETE FROM orders'), { cwd: dir, env: {}, argv: ['sqlite3'] });
    expect(found.map((f) => f.kind)).toEqual(['delete-all']);
    expect((await analyzeSqlite(args('drop.db', 'SELECT 1'), { cwd: dir, env: {}, argv: ['sqlite3'] })).length).toBe(0);
  });

  it('judges dot commands: .restore overwrites, .shell runs a shell, .read follows the file', async () => {
    writeFileSync(join(dir, 'x.sql'), 'DROP TABLE orders;\n');
    expect(await sqlite('.restore old.db')).toEqual(['drop-database']);
    expect(await sqlite('.shell rm -rf /')).toEqual(['meta-hidden']);
    expect(await sqlite(`.read ${join(dir, 'x.sql')}`)).toEqual(['drop-table']);
    expect(await sqlite('.tables')).toEqual([]);
  });
});
