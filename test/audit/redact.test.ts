// Secrets never reach the audit log (or the panel): unit table, then a grep over a real log.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, test, vi } from 'vitest';
import { MASK, redactArgv, redactText } from '../../src/audit/redact.js';
import { auditLogPath } from '../../src/audit/log-file.js';
import { blastgateArgv, gateArgv, makeSandbox, PASSPHRASE, runDetached, Terminal, type Sandbox } from '../confirm/sandbox.js';
import { listPending } from '../../src/approvals/store.js';

vi.setConfig({ testTimeout: 60_000 });

describe('redactArgv', () => {
  test.each<[string, string[], string[]]>([
    ['URL password', ['psql', 'postgres://admin:hunter2@db.prod/shop'], ['psql', `postgres://admin:${MASK}@db.prod/shop`]],
    ['URL password, no user', ['redis-cli', '-u', 'redis://:hunter2@cache:6379'], ['redis-cli', '-u', `redis://:${MASK}@cache:6379`]],
    ['PGPASSWORD via env', ['env', 'PGPASSWORD=hunter2', 'psql'], ['env', `PGPASSWORD=${MASK}`, 'psql']],
    ['RAILWAY_TOKEN / RAILWAY_API_TOKEN', ['env', 'RAILWAY_TOKEN=rw1', 'RAILWAY_API_TOKEN=rw2', 'railway', 'up'], ['env', `RAILWAY_TOKEN=${MASK}`, `RAILWAY_API_TOKEN=${MASK}`, 'railway', 'up']],
    ['--password=…', ['mysqladmin', '--password=hunter2', 'drop', 'shop'], ['mysqladmin', `--password=${MASK}`, 'drop', 'shop']],
    ['--password VALUE', ['mongosh', '--password', 'hunter2'], ['mongosh', '--password', MASK]],
    ['--token VALUE', ['railway', 'volume', 'delete', '--token', 'tok'], ['railway', 'volume', 'delete', '--token', MASK]],
    ['--db-password / --client-secret', ['x', '--db-password', 'a1', '--client-secret=b2'], ['x', '--db-password', MASK, `--client-secret=${MASK}`]],
    ['Authorization header', ['curl', '-H', 'Authorization: Bearer abc.def', 'https://api'], ['curl', '-H', `Authorization: ${MASK}`, 'https://api']],
    ['--header=Authorization', ['curl', '--header=authorization: token xyz'], ['curl', `--header=authorization: ${MASK}`]],
    ['curl -u user:pass', ['curl', '-u', 'bob:hunter2', 'https://x'], ['curl', '-u', `bob:${MASK}`, 'https://x']],
    ['mysql -pPASSWORD (attached)', ['mysql', '-phunter2', 'shop'], ['mysql', `-p${MASK}`, 'shop']],
    ['mysql -p alone prompts: next word is the database', ['mysql', '-p', 'shop'], ['mysql', '-p', 'shop']],
    ['psql -p is a port', ['psql', '-p', '5432', '-h', 'db'], ['psql', '-p', '5432', '-h', 'db']],
    ['sshpass -p', ['sshpass', '-p', 'hunter2', 'ssh', 'h'], ['sshpass', '-p', MASK, 'ssh', 'h']],
    ['redis-cli -a', ['redis-cli', '-a', 'hunter2', 'FLUSHALL'], ['redis-cli', '-a', MASK, 'FLUSHALL']],
    ['SQL PASSWORD literal', ['psql', '-c', "ALTER ROLE app PASSWORD 'hunter2'"], ['psql', '-c', `ALTER ROLE app PASSWORD '${MASK}'`]],
    ['inside bash -c', ['bash', '-c', 'PGPASSWORD=hunter2 psql -c "DROP TABLE x" && curl -H "Authorization: Bearer t" x'], ['bash', '-c', `PGPASSWORD=${MASK} psql -c "DROP TABLE x" && curl -H "Authorization: ${MASK}" x`]],
    ['a GitHub token anywhere', ['gh', 'api', '-f', 'x=ghp_abcdefghijklmnopqrstuvwxyz0123'], ['gh', 'api', '-f', `x=${MASK}`]],
    ['nothing secret stays as is', ['git', 'push', '--force', 'origin', 'main'], ['git', 'push', '--force', 'origin', 'main']],
  ])('%s', (_what, argv, expected) => {
    expect(redactArgv(argv)).toEqual(expected);
  });

  it('masks the VALUE of a secret env var wherever it appears (a token expanded by the shell)', () => {
    const env = { RAILWAY_API_TOKEN: 'a1b2c3d4e5f6', DATABASE_URL: 'postgres://u:pg-pass-77@h/db', HOME: '/home/x' };
    expect(redactArgv(['railway', 'up', 'a1b2c3d4e5f6', 'pg-pass-77', '/home/x'], env)).toEqual(['railway', 'up', MASK, MASK, '/home/x']);
    expect(redactText('curl -H "X: a1b2c3d4e5f6"', ['a1b2c3d4e5f6'])).toBe(`curl -H "X: ${MASK}"`);
  });
});

describe('grep: no secret in the audit log after real runs', () => {
  let box: Sandbox;
  const terms: Terminal[] = [];
  beforeEach(() => {
    box = makeSandbox();
    box.config('confirm:\n  timeout: 20\n');
  });
  afterEach(() => {
    for (const t of terms.splice(0)) t.kill();
    box.cleanup();
  });

  const SECRETS = ['pg-secret-4417', 'rw-secret-5521', 'rwapi-secret-6630', 'pw-secret-7712', 'url-secret-8893', 'hdr-secret-9904', 'my-secret-1185'];
  // dropdb would refuse some of these; the fake accepts anything — what matters is what gets written down.
  const argv = [
    'env', 'PGPASSWORD=pg-secret-4417', 'RAILWAY_TOKEN=rw-secret-5521', 'NOTE=Authorization: Bearer hdr-secret-9904',
    'dropdb', '--password=pw-secret-7712', '--maintenance-db=postgres://admin:url-secret-8893@db.internal/postgres',
    '--token', 'my-secret-1185', 'shop', 'rwapi-secret-6630',
  ];
  const callerEnv = { RAILWAY_API_TOKEN: 'rwapi-secret-6630' };

  const assertClean = (where: string, text: string) => {
    for (const s of SECRETS) expect(text.includes(s), `${s} leaked into ${where}`).toBe(false);
  };

  it('confirmed at the terminal, and approved out of band: log, panel and pending listing stay clean', async () => {
    box.setPassphrase();
    // 1. A human confirms at the terminal.
    const t = new Terminal(box.root, gateArgv(argv), { ...box.env, ...callerEnv }, box.work);
    terms.push(t);
    const screen = await t.waitForScreen(/Type "[^"]+" to run it/);
    assertClean('the panel', screen);
    t.type(/Type "([^"]+)" to run it/.exec(screen)![1]!);
    t.key('Enter');
    // Critical or production: the passphrase too (the high tier never rests on looking human).
    await t.answer(/Approval passphrase/, PASSPHRASE);
    expect(await t.exitCode()).toBe(0);
    expect(box.runs()).toHaveLength(1);

    // 2. An agent runs it, a human approves in another terminal, the agent re-runs it.
    const agentEnv = { ...box.env, ...callerEnv, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' };
    expect(runDetached(gateArgv(argv), agentEnv, box.work).code).toBe(77);
    const req = listPending(box.paths)[0]!;
    assertClean('`blastgate pending`', runDetached(blastgateArgv(['pending']), box.env, box.work).stdout);
    const approver = new Terminal(box.root, blastgateArgv(['approve', req.id]), box.env, box.root);
    terms.push(approver);
    await approver.answer(/Approval passphrase/, PASSPHRASE);
    expect(await approver.exitCode()).toBe(0);
    expect(runDetached(gateArgv(argv), agentEnv, box.work).code).toBe(0);
    // A denied one too.
    expect(runDetached(gateArgv([...argv, 'other']), agentEnv, box.work).code).toBe(77);
    const second = listPending(box.paths)[0]!;
    expect(runDetached(blastgateArgv(['deny', second.id]), box.env, box.root).code).toBe(0);

    const log = readFileSync(auditLogPath(box.paths), 'utf8');
    const decisions = log.trim().split('\n').map((l) => (JSON.parse(l) as { decision: string }).decision);
    // 'asked' is written before any prompt or wait (a command killed while waiting still leaves a record).
    expect(decisions).toEqual(['asked', 'confirmed', 'exit', 'asked', 'pending', 'approved', 'asked', 'approved', 'exit', 'asked', 'pending', 'denied']);
    assertClean('the audit log', log);
    assertClean('`blastgate log`', runDetached(blastgateArgv(['log']), box.env, box.root).stdout);
    assertClean('`blastgate log --json`', runDetached(blastgateArgv(['log', '--json']), box.env, box.root).stdout);
    // The tool itself still got every byte.
    expect(box.runs()[0]).toEqual(argv.slice(5));
  });
});
