// Payload snapshots on real files: what the verdict read is hashed, a FIFO or device is never opened,
// the cap holds while reading (a 50 MB file, a config symlinked to /dev/zero), and a change after the
// check re-runs the verdict.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEngine } from '../../src/engine.js';
import { guard } from '../../src/pipeline.js';
import { changedFiles, recheckBeforeExec } from '../../src/payload/recheck.js';
import type { Verdict } from '../../src/types.js';
import { BIN, sandbox } from '../helpers/cli.js';

const box = sandbox();
const dir = join(box.root, 'work');
mkdirSync(dir);
afterAll(() => rmSync(box.root, { recursive: true, force: true }));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const verdictOf = async (argv: string[], actor?: 'agent') => {
  const engine = await loadEngine({ env: box.env, cwd: dir, ...(actor ? { actor } : {}) });
  return guard({ kind: 'argv', argv }, { env: engine.env, cwd: dir, actor: engine.actor, index: engine.index, policy: engine.policy, resolve: false });
};

/** Peak RSS (KiB) and exit code of `blastgate check -- argv`. */
const checkRss = (argv: string[]) => {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'check', '--', ...argv], { env: box.env, cwd: dir, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, kib: Number(r.stderr.trim().split('\n').at(-1)), stdout: r.stdout };
};

describe('what the verdict read is hashed', () => {
  it('psql -f mig.sql: Verdict.payloads holds the sha256 of the bytes judged', async () => {
    writeFileSync(join(dir, 'mig.sql'), 'DROP TABLE scratch;\n');
    const v = await verdictOf(['psql', '-f', 'mig.sql']);
    expect(v.matches.map((m) => m.rule)).toContain('psql:drop-table');
    expect(v.payloads).toContainEqual({ source: join(dir, 'mig.sql'), sha256: sha('DROP TABLE scratch;\n') });
  });

  it('curl -K req.cfg: the config and the body it names are both snapshotted', async () => {
    writeFileSync(join(dir, 'body.json'), '{"query":"mutation { volumeDelete(volumeId: \\"v\\") }"}');
    writeFileSync(join(dir, 'req.cfg'), 'url = "https://backboard.railway.com/graphql/v2"\ndata = "@body.json"\n');
    const v = await verdictOf(['curl', '-K', 'req.cfg']);
    expect(v.matches.map((m) => m.rule)).toContain('curl:railway-volume-delete');
    expect(v.payloads?.map((p) => p.source)).toEqual(expect.arrayContaining([join(dir, 'req.cfg'), join(dir, 'body.json')]));
  });

  it('PGOPTIONS and a service file psql reads on its own are snapshotted too', async () => {
    writeFileSync(join(dir, 'services.conf'), '[shop]\ndbname=shop\n');
    const engine = await loadEngine({ env: { ...box.env, PGSERVICEFILE: join(dir, 'services.conf'), PGOPTIONS: '-c search_path=other' }, cwd: dir });
    const v = await guard({ kind: 'argv', argv: ['psql', '-c', 'select 1'] }, { env: engine.env, cwd: dir, actor: engine.actor, index: engine.index, policy: engine.policy, resolve: false });
    expect(v.payloads).toEqual(expect.arrayContaining([
      { source: join(dir, 'services.conf'), sha256: sha('[shop]\ndbname=shop\n') },
      { source: '$PGOPTIONS', sha256: sha('-c search_path=other') },
    ]));
  });
});

describe('anything but a regular file is unknown and left unread', () => {
  it('a FIFO named by psql -f: not allowed, sha256 null, and its writer is never released by the gate', async () => {
    const fifo = join(dir, 'q.sql');
    rmSync(fifo, { force: true });
    spawnSync('mkfifo', [fifo]);
    const marker = join(dir, 'released');
    // The writer blocks in open() until someone opens the FIFO for reading.
    const writer = spawn('/bin/sh', ['-c', `echo 'SELECT 1;' > ${fifo} && touch ${marker}`], { stdio: 'ignore' });
    try {
      const v = await verdictOf(['psql', '-f', 'q.sql']);
      expect(v.decision).not.toBe('allow');
      expect(v.payloads).toContainEqual({ source: fifo, sha256: null });
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(marker)).toBe(false);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a resolver never blocks on a FIFO either: check with PGSERVICEFILE naming a FIFO answers at once', () => {
    const fifo = join(dir, 'services.fifo');
    rmSync(fifo, { force: true });
    spawnSync('mkfifo', [fifo]);
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'check', '--', 'psql', '-c', 'DROP TABLE orders'], { env: { ...box.env, PGSERVICEFILE: fifo, PGSERVICE: 'shop' }, cwd: dir, encoding: 'utf8', timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.status).toBe(10);
  });

  it('psql -f 50 MB: unknown at once, the whole file never held (peak RSS well under the file size)', () => {
    const big = join(dir, 'big.sql');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024);
    const r = checkRss(['psql', '-f', 'big.sql']);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/larger than 8388608 bytes/);
    expect(r.kib).toBeLessThan(120 * 1024);
  });

  it('a ~/.psqlrc symlinked to /dev/zero: unknown, memory stays bounded', () => {
    const rc = join(box.env.HOME!, '.psqlrc');
    symlinkSync('/dev/zero', rc);
    try {
      const r = checkRss(['psql', '-c', 'select 1']);
      expect(r.code).toBe(10);
      expect(r.stdout).toMatch(/is a device/);
      expect(r.kib).toBeLessThan(120 * 1024);
    } finally {
      rmSync(rc, { force: true });
    }
  });
});

describe('a change after the check re-runs the verdict', () => {
  it('changedFiles names a file rewritten after the verdict, and nothing when it is untouched', async () => {
    writeFileSync(join(dir, 'mig2.sql'), 'DROP TABLE scratch;\n');
    const v = await verdictOf(['psql', '-f', 'mig2.sql']);
    expect(changedFiles(v)).toEqual([]);
    writeFileSync(join(dir, 'mig2.sql'), 'DROP TABLE scratch; DROP TABLE orders;\n');
    expect(changedFiles(v)).toEqual([join(dir, 'mig2.sql')]);
  });

  it('after an approval wait the command runs under the new verdict, which is gated again', async () => {
    const file = join(dir, 'mig3.sql');
    writeFileSync(file, 'DROP TABLE scratch;\n');
    const judge = () => verdictOf(['psql', '-f', 'mig3.sql']);
    const first = await judge();
    writeFileSync(file, 'DROP TABLE scratch;\nDROP TABLE orders;\n'); // during the wait
    const gated: Verdict[] = [];
    const final = await recheckBeforeExec({ verdict: first, approvalId: 'approved-for-scratch' }, {
      judge,
      gate: async (v) => {
        gated.push(v);
        return 'second-approval';
      },
    });
    expect(gated).toHaveLength(1);
    expect(JSON.stringify(gated[0]!.matches)).toContain('orders');
    expect(final.approvalId).toBe('second-approval');
  });

  it('an ~/.psqlrc that appears during the wait of a gated command is found', async () => {
    writeFileSync(join(dir, 'mig4.sql'), 'DROP TABLE scratch;\n');
    const judge = () => verdictOf(['psql', '-f', 'mig4.sql']);
    const first = await judge();
    writeFileSync(join(box.env.HOME!, '.psqlrc'), 'DROP TABLE customers;\n');
    try {
      const gated: Verdict[] = [];
      await recheckBeforeExec({ verdict: first, approvalId: 'a' }, { judge, gate: async (v) => (gated.push(v), 'b') });
      expect(JSON.stringify(gated.map((v) => v.matches))).toContain('customers');
    } finally {
      rmSync(join(box.env.HOME!, '.psqlrc'), { force: true });
    }
  });
});
