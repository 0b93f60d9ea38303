// The hash-chained audit log: appends under a lock from many processes, and `log --verify` finding
// the first edited, deleted, reordered or cut-off record.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { appendRecord, auditLogPath, readHead, readRecords } from '../../src/audit/log-file.js';
import { buildRecordBody } from '../../src/audit/record.js';
import { runLog } from '../../src/commands/log.js';
import { blastgateArgv, makeSandbox, repoRoot, runDetached, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const body = (n: number, tool = 'terraform') =>
  buildRecordBody({ kind: 'decision', actor: 'agent', tool, argv: [tool, 'destroy', `-target=r${n}`], cwd: '/srv', decision: 'declined', rules: [`${tool}:destroy`], target: null, env: {} });

const fill = async (n: number) => {
  for (let i = 1; i <= n; i++) await appendRecord(box.paths, body(i));
};
const lines = () => readFileSync(auditLogPath(box.paths), 'utf8').split('\n').slice(0, -1);
const save = (ls: string[]) => writeFileSync(auditLogPath(box.paths), ls.map((l) => `${l}\n`).join(''));
const verify = async () => {
  let out = '';
  let err = '';
  const code = await runLog({ verify: true, env: box.env, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
};

describe('append', () => {
  it('each record names the previous record\'s hash and the next seq; the chain verifies', async () => {
    await fill(5);
    const recs = readRecords(box.paths);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(recs[0]!.prev).toBe('0'.repeat(64));
    expect(new Set(recs.map((r) => r.prev)).size).toBe(5);
    expect(readHead(box.paths)?.seq).toBe(5);
    expect(await verify()).toMatchObject({ code: 0, out: expect.stringMatching(/intact: 5 record/) });
  });

  it('a lock left by a dead process is broken; the append goes through', async () => {
    mkdirSync(box.paths.stateDir, { recursive: true });
    writeFileSync(`${auditLogPath(box.paths)}.lock`, '999999999\n1\nabc');
    const started = Date.now();
    await appendRecord(box.paths, body(1));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(readRecords(box.paths)).toHaveLength(1);
  });

  it('a live holder is waited for, not broken', async () => {
    const lock = `${auditLogPath(box.paths)}.lock`;
    mkdirSync(box.paths.stateDir, { recursive: true });
    writeFileSync(lock, `${process.pid}\n${Date.now()}\nmine`);
    const pending = appendRecord(box.paths, body(1));
    await new Promise((r) => setTimeout(r, 300));
    expect(readRecords(box.paths)).toHaveLength(0);
    rmSync(lock);
    await pending;
    expect(readRecords(box.paths)).toHaveLength(1);
  });

  it('6 processes × 25 appends at once: 150 whole records, one unbroken chain', async () => {
    const writer = join(repoRoot, 'test/audit/append-many.ts');
    await Promise.all(
      Array.from({ length: 6 }, (_, w) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('node', ['--import', 'tsx', writer, JSON.stringify(box.env), String(w), '25'], { cwd: repoRoot, stdio: 'inherit' });
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w} exited ${code}`))));
        }),
      ),
    );
    const recs = readRecords(box.paths);
    expect(recs).toHaveLength(150);
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(new Set(recs.map((r) => r.argv.join(' '))).size).toBe(150);
    expect(await verify()).toMatchObject({ code: 0 });
  });
});

describe('log --verify finds tampering', () => {
  it('an edited record: the next record no longer links to it', async () => {
    await fill(5);
    const ls = lines();
    ls[1] = ls[1]!.replace('"declined"', '"confirmed"');
    save(ls);
    const r = await verify();
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/line 3: record #3 does not link to line 2 — record #2 was edited/);
  });

  it('a deleted record: a gap in the sequence', async () => {
    await fill(5);
    save(lines().filter((_, i) => i !== 2));
    const r = await verify();
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/record #4 follows #2 — record #3 is missing/);
  });

  it('reordered records', async () => {
    await fill(5);
    const ls = lines();
    [ls[1], ls[2]] = [ls[2]!, ls[1]!];
    save(ls);
    const r = await verify();
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/records were reordered \(#2 is at line 3\)/);
  });

  it('the first record deleted', async () => {
    await fill(3);
    save(lines().slice(1));
    expect((await verify()).err).toMatch(/record #2 follows #0 — record #1 is missing/);
  });

  it('records cut off the end (the head file remembers the last seq)', async () => {
    await fill(5);
    save(lines().slice(0, 3));
    const r = await verify();
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/ends at record #3 but #5 was written — 2 record\(s\) cut off the end/);
  });

  it('the last record edited', async () => {
    await fill(3);
    const ls = lines();
    ls[2] = ls[2]!.replace('"agent"', '"human"');
    save(ls);
    expect((await verify()).err).toMatch(/the last record \(#3\) was edited/);
  });

  it('the whole log deleted', async () => {
    await fill(2);
    rmSync(auditLogPath(box.paths));
    const r = await verify();
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/missing, but 2 record\(s\) were written/);
  });

  it('a torn (half-written) last line', () => {
    expect(verifyChain('{"seq":1,"prev":"' + '0'.repeat(64) + '"}\n{"seq":2,"pr', null).problem?.message).toMatch(/incomplete record/);
  });

  it('through the CLI: non-zero exit and one blastgate: line', async () => {
    await fill(4);
    save(lines().filter((_, i) => i !== 1));
    const r = runDetached(blastgateArgv(['log', '--verify']), box.env, box.root);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^blastgate: audit log broken: line 2: record #3 follows #1 — record #2 is missing/);
  });
});

describe('blastgate log', () => {
  it('filters by tool and time, prints a table or JSON lines', async () => {
    await appendRecord(box.paths, { ...body(1, 'terraform'), time: new Date(Date.now() - 3 * 3600_000).toISOString() });
    await appendRecord(box.paths, body(2, 'terraform'));
    await appendRecord(box.paths, body(3, 'psql'));
    let out = '';
    await runLog({ json: true, since: '1h', tool: 'terraform', env: box.env, out: (t) => (out += t) });
    const recs = out.trim().split('\n').map((l) => JSON.parse(l) as { argv: string[] });
    expect(recs.map((r) => r.argv[2])).toEqual(['-target=r2']);
    out = '';
    await runLog({ env: box.env, out: (t) => (out += t) });
    const table = out.trim().split('\n');
    expect(table[0]).toMatch(/^TIME \(UTC\)\s+ACTOR\s+TOOL\s+DECISION\s+EXIT\s+REQUEST\s+COMMAND$/);
    expect(table).toHaveLength(4);
    expect(table[3]).toMatch(/agent\s+psql\s+declined\s+-\s+-\s+psql destroy -target=r3$/);
  });

  it('rejects a --since it cannot read', async () => {
    await expect(runLog({ since: 'yesterday-ish', env: box.env })).rejects.toThrow(/expected a duration like 30m/);
  });
});
