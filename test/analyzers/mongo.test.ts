// The MongoDB shell analyzer parses the JavaScript mongosh would run and finds the calls that lose data.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeMongo, judgeMongoScript } from '../../src/analyzers/mongo.js';

const kinds = async (js: string) => (await judgeMongoScript(js, '--eval')).map((f) => f.kind);
const dir = mkdtempSync(join(tmpdir(), 'bg-mongo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mongo analyzer', () => {
  it.each([
    ['db.dropDatabase()', 'drop-database'],
    ['db.getSiblingDB("shop")["dropDatabase"]()', 'drop-database'],
    ['db.runCommand({ dropDatabase: 1 })', 'drop-database'],
    ['db.orders.drop()', 'drop-collection'],
    ['db.orders.deleteMany({})', 'delete-all'],
    ['db.orders.remove()', 'delete-all'],
    ['db.orders.updateMany({}, { $set: { a: 1 } })', 'update-all'],
    ['db.orders.deleteMany(filter)', 'unfiltered'],
    ['const f = "drop"; db.orders[f]()', 'unknown'],
    ['eval("db.dropDatabase()")', 'unknown'],
  ])('%s → %s', async (js, kind) => {
    expect(await kinds(js)).toContain(kind);
  });

  it('passes filtered writes, reads, and words that only look like calls', async () => {
    expect(await kinds('db.orders.deleteMany({ status: "cancelled" })')).toEqual([]);
    expect(await kinds('db.orders.find({ note: "dropDatabase" }).limit(3)')).toEqual([]);
    expect(await kinds('use shop\nshow collections\ndb.orders.countDocuments({})')).toEqual([]);
  });

  it('calls unparseable JavaScript that mentions a destructive name unknown', async () => {
    expect(await kinds('db.orders.drop(')).toEqual(['unknown']);
  });

  it('reads .js files named on the command line, and a FIFO or missing file is unknown', async () => {
    writeFileSync(join(dir, 'wipe.js'), 'use shop\ndb.orders.deleteMany({})\n');
    const ctx = { cwd: dir, env: {}, argv: ['mongosh', 'shop', 'wipe.js'] };
    const found = await analyzeMongo([{ text: 'shop', origin: 'argument' }, { text: 'wipe.js', origin: 'argument' }], ctx);
    expect(found.map((f) => f.kind)).toEqual(['delete-all']);
    const missing = await analyzeMongo([{ text: 'gone.js', origin: 'argument' }], ctx);
    expect(missing.map((f) => f.kind)).toEqual(['unknown']);
    execFileSync('mkfifo', [join(dir, 'pipe.js')]);
    const fifo = await analyzeMongo([{ text: 'pipe.js', origin: 'argument' }], ctx);
    expect(fifo.map((f) => f.kind)).toEqual(['unknown']);
  });
});
