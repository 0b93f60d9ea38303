// runBounded, the process runner behind the terraform resolver: what it hands back for each way a helper
// process can end, and that nothing of blastgate's own environment leaks into it.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processGone } from '../helpers/process.js';
import { runBounded, type RunOptions } from '../../src/resolvers/terraform-run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bg-run-'));
});

const script = (name: string, body: string) => {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
  return join(dir, name);
};

const opts = (over: Partial<RunOptions> = {}): RunOptions => ({
  cwd: dir,
  env: { PATH: '/usr/bin:/bin' },
  timeoutMs: 5000,
  signal: new AbortController().signal,
  ...over,
});

const gone = processGone;

describe('runBounded', () => {
  it('gives the child exactly the environment it was handed, and stdout byte for byte as utf8', async () => {
    const r = await runBounded('/usr/bin/env', [], opts({ env: { ONLY: 'é' } }));
    expect(r).toMatchObject({ ok: true, stdout: 'ONLY=é\n' });
  });

  it('runs in the given directory', async () => {
    const r = await runBounded('/bin/pwd', [], opts());
    expect(r.ok && r.stdout.trim()).toBe(dir);
  });

  it('a non-zero exit reports the Error: line of stderr, skipping warning blocks', async () => {
    const bin = script('fails', `printf '╷\\n│ Warning: old CLI config\\n╵\\n╷\\n│ Error: Backend initialization required\\n╵\\n' >&2\nexit 1`);
    expect(await runBounded(bin, [], opts())).toMatchObject({ ok: false, why: 'exit', detail: 'Error: Backend initialization required' });
  });

  it('a non-zero exit with a silent stderr reports the exit code', async () => {
    expect(await runBounded(script('silent', 'exit 4'), [], opts())).toMatchObject({ ok: false, why: 'exit', detail: 'exit 4' });
  });

  it('a binary that cannot start is a spawn failure with its error code', async () => {
    expect(await runBounded(join(dir, 'missing'), [], opts())).toMatchObject({ ok: false, why: 'spawn', detail: 'ENOENT' });
  });

  it('no time left means nothing is started', async () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(await runBounded(script('never', `touch ${join(dir, 'ran')}`), [], opts({ signal: aborted.signal }))).toMatchObject({ ok: false, why: 'aborted', ms: 0 });
    expect(await runBounded(join(dir, 'never'), [], opts({ timeoutMs: 0 }))).toMatchObject({ ok: false, why: 'timeout', ms: 0 });
    expect(() => readFileSync(join(dir, 'ran'))).toThrow();
  });

  it("the resolve stage's abort ends the run at once and kills the child's whole process group", async () => {
    const pids = join(dir, 'abort.pids');
    const bin = script('hangs', `echo $$ > ${pids}\nsleep 30 &\necho $! >> ${pids}\nwait`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const r = await runBounded(bin, [], opts({ signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(r).toMatchObject({ ok: false, why: 'aborted', detail: 'the resolve deadline passed' });
    await new Promise((done) => setTimeout(done, 100));
    const [leader, child] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(gone(leader!)).toBe(true);
    expect(gone(child!)).toBe(true);
  });

  it('the deadline reports a timeout with the time it allowed', async () => {
    const r = await runBounded(script('slow', 'exec sleep 30'), [], opts({ timeoutMs: 300 }));
    expect(r).toMatchObject({ ok: false, why: 'timeout', detail: 'no answer within 300 ms' });
    expect(r.ms).toBeGreaterThanOrEqual(290);
    expect(r.ms).toBeLessThan(1500);
  });
});
