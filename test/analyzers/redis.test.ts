// The Redis analyzer judges what redis-cli would send: argument words, stdin lines and --eval scripts.
import { describe, expect, it } from 'vitest';
import { analyzeRedis, splitRedisLine } from '../../src/analyzers/redis.js';

const ctx = (argv: string[]) => ({ cwd: '/', env: {}, argv });
const kinds = async (payloads: Array<{ text: string | null; origin: string }>, argv: string[] = ['redis-cli']) =>
  (await analyzeRedis(payloads, ctx(argv))).map((f) => f.kind);
const args = (...words: string[]) => words.map((text) => ({ text, origin: 'argument' }));

describe('redis analyzer', () => {
  it('splits a line like redis-cli: quotes group words, escapes inside double quotes', () => {
    expect(splitRedisLine(`SET "a b" 'c d' "e\\"f"`)).toEqual(['SET', 'a b', 'c d', 'e"f']);
  });

  it.each([
    [['flushall'], 'flush'],
    [['FlushDB', 'ASYNC'], 'flush'],
    [['replicaof', 'evil', '6379'], 'replicate'],
    [['CONFIG', 'SET', 'dir', '/root/.ssh'], 'config-write'],
    [['config', 'set', 'appendonly', 'no'], 'persistence-off'],
    [['SHUTDOWN', 'nosave'], 'shutdown-nosave'],
    [['DEL', '{}'], 'delete-unknown'],
    [['UNLINK', 'a', 'b'], 'delete-keys'],
  ])('argument words %j are %s', async (words, kind) => {
    expect(await kinds(args(...words))).toEqual([kind]);
  });

  it('leaves reads, REPLICAOF NO ONE and a key named like a command alone', async () => {
    expect(await kinds(args('GET', 'flushall'))).toEqual([]);
    expect(await kinds(args('REPLICAOF', 'NO', 'ONE'))).toEqual([]);
    expect(await kinds(args('CONFIG', 'GET', 'dir'))).toEqual([]);
  });

  it('reads every stdin line, and says unknown when stdin cannot be read', async () => {
    expect(await kinds([{ text: 'SELECT 2\nPING\nflushdb\n', origin: 'stdin' }])).toEqual(['flush']);
    expect(await kinds([{ text: null, origin: 'pipe' }])).toEqual(['unknown']);
  });

  it('runs `--cluster call HOST:PORT CMD` as CMD on the nodes', async () => {
    expect(await kinds(args('cache:7000', 'FLUSHALL'), ['redis-cli', '--cluster', 'call', 'cache:7000', 'FLUSHALL'])).toEqual(['flush']);
  });

  it('judges literal redis.call() in an --eval script and calls it unknown when the command is built at run time', async () => {
    expect(await kinds([{ text: "return redis.call('FLUSHALL')\n", origin: '--eval a.lua' }])).toEqual(['flush']);
    expect(await kinds([{ text: "redis.call('CONFIG', 'SET', 'dir', '/tmp')", origin: '--eval b.lua' }])).toEqual(['config-write']);
    expect(await kinds([{ text: 'return redis.pcall(ARGV[1], KEYS[1])', origin: '--eval c.lua' }])).toEqual(['unknown']);
    expect(await kinds([{ text: "return redis.call('GET', KEYS[1])", origin: '--eval d.lua' }])).toEqual([]);
  });
});
