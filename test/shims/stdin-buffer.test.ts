// Reading a tool's stdin for analysis: exact bytes kept, a fixed cap, and no waiting forever on silence.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bufferedText, bufferStdin } from '../../src/shims/stdin-buffer.js';

const collect = (s: PassThrough) =>
  new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.resume();
  });

describe('bufferStdin', () => {
  it('keeps every byte of a stream that ends under the cap, invalid UTF-8 included', async () => {
    const s = new PassThrough();
    const data = Buffer.from([0x53, 0x45, 0x4c, 0xff, 0x00, 0x0a, 0xc3, 0xa9]);
    s.end(data);
    const b = await bufferStdin(s, 1024, 1000);
    expect(b.truncated).toBe(false);
    expect(b.rest).toBeNull();
    expect(Buffer.concat(b.chunks).equals(data)).toBe(true);
    expect(bufferedText(b)).toBe('SEL\uFFFD\u0000\né');
  });

  it('stops just past the cap and hands back the paused rest, losing nothing', async () => {
    const s = new PassThrough();
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    for (let i = 0; i < data.length; i += 10_000) s.write(data.subarray(i, i + 10_000));
    s.end();
    const b = await bufferStdin(s, 100_000, 1000);
    expect(b.truncated).toBe(true);
    // At most one chunk past the cap is held.
    expect(b.bytes).toBeGreaterThan(100_000);
    expect(b.bytes).toBeLessThanOrEqual(110_000);
    const rest = await collect(b.rest as PassThrough);
    expect(Buffer.concat([...b.chunks, rest]).equals(data)).toBe(true);
  });

  it('judges a silent stream unknown after the first-byte wait instead of hanging', async () => {
    const s = new PassThrough();
    const started = Date.now();
    const b = await bufferStdin(s, 1024, 100);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(b.truncated).toBe(true);
    expect(b.bytes).toBe(0);
    expect(b.rest).toBe(s);
  });

  it('once data flows, waits for the end even past the first-byte wait', async () => {
    const s = new PassThrough();
    s.write('SELECT ');
    setTimeout(() => s.end('1;'), 250);
    const b = await bufferStdin(s, 1024, 100);
    expect(b.truncated).toBe(false);
    expect(bufferedText(b)).toBe('SELECT 1;');
  });
});
