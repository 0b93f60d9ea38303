// runLookup, the psql run behind the PostgreSQL blast radius, against fake psql binaries: how each way the
// run can end turns into a result or an error note, and what environment psql is given.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLookup, type LookupRequest } from '../../src/resolvers/postgres-lookup.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bg-pglookup-'));
});

const fakePsql = (name: string, body: string) => {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
  return join(dir, name);
};

const request: LookupRequest = { tables: ['orders'], cascade: [], schemas: [], databases: [], roles: [], overview: false };
const lookup = (binary: string, env: Record<string, string | undefined> = { PATH: '/usr/bin:/bin' }, signal = new AbortController().signal, timeoutMs = 3000) =>
  runLookup({ binary, connArgs: ['-h', '/tmp'], env }, request, { timeoutMs, signal });

describe('runLookup', () => {
  it("reads psql's answer, which ran with only the command's environment plus the read-only settings", async () => {
    // The table's row estimate carries what psql saw: PGAPPNAME, PGOPTIONS, and HOME (not handed over).
    const bin = fakePsql('answers', `printf 'T\\037orders\\037public.orders\\037r\\03742\\0378192\\037\\n'\nprintf '%s|%s|%s' "$PGAPPNAME" "$PGOPTIONS" "\${HOME-unset}" >&2\nexit 0`);
    const answer = await lookup(bin, { PATH: '/usr/bin:/bin', PGOPTIONS: '-c search_path=app' });
    expect(answer).toMatchObject({ result: { tables: new Map([['orders', { name: 'orders', qualified: 'public.orders', kind: 'r', rows: 42, exact: false, bytes: 8192 }]]) } });
    expect('result' in answer && answer.result.problem).toBe('blastgate-resolve|-c search_path=app -c default_transaction_read_only=on -c statement_timeout=2000|unset');
  });

  it('a connection failure (exit 2) is an error with psql’s first line', async () => {
    const bin = fakePsql('refused', `echo 'psql: error: connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory' >&2\nexit 2`);
    expect(await lookup(bin)).toEqual({ error: 'error: connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory' });
  });

  it('queries that all failed (exit 1, no answer) are an error; some answered means a result with the problem', async () => {
    expect(await lookup(fakePsql('denied', `echo 'psql:<stdin>:1: ERROR:  permission denied for table orders' >&2\nexit 1`))).toEqual({
      error: '<stdin>:1: ERROR:  permission denied for table orders',
    });
    const partly = fakePsql('partly', `printf 'T\\037orders\\037public.orders\\037r\\0377\\03716\\037\\n'\necho 'psql: ERROR:  relation "x" does not exist' >&2\nexit 1`);
    expect(await lookup(partly)).toMatchObject({ result: { problem: 'ERROR:  relation "x" does not exist' } });
  });

  it('a psql that cannot start is an error naming why', async () => {
    expect(await lookup(join(dir, 'missing'))).toEqual({ error: `spawn ${join(dir, 'missing')} ENOENT` });
  });

  it("the resolve stage's abort ends the run at once", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    expect(await lookup(fakePsql('hangs', 'exec sleep 30'), undefined, controller.signal)).toEqual({ error: 'cancelled' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('the deadline gives up on a psql that does not answer and says how long it waited', async () => {
    const started = performance.now();
    expect(await lookup(fakePsql('slow', 'exec sleep 30'), undefined, undefined, 400)).toEqual({ error: 'no answer within 400 ms' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('an abort before the run starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await lookup(fakePsql('unused', 'exit 0'), undefined, controller.signal)).toEqual({ error: 'cancelled' });
  });
});
