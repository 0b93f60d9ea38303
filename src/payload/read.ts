// Read a payload file the way the gate may: once, into memory, only when it is a regular file, never
// past a size cap or a deadline, never blocking. Anything else is left unread for the tool: a FIFO or a
// pipe (`<(…)`, `/dev/stdin`) read by the gate would be consumed before the tool starts.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';

/** Cap on one payload held for analysis (8 MiB); larger files are unknown and never read whole. */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
/** A single file read slower than this (a stalled network or FUSE mount) is unknown. */
export const PAYLOAD_READ_DEADLINE_MS = 1000;

const CHUNK = 256 * 1024;

export type FileRead =
  | { ok: true; path: string; bytes: Buffer; text: string; sha256: string }
  | { ok: false; path: string; problem: string };

// node:crypto costs a few ms to load: only a command that reads a payload pays for it.
let crypto: typeof import('node:crypto') | undefined;
export const sha256 = (bytes: Buffer | string): string =>
  (crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(bytes).digest('hex');

const kindOf = (st: Stats): string =>
  st.isFIFO() ? 'a FIFO or pipe' : st.isCharacterDevice() ? 'a device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : 'not a regular file';

// /dev/null (char device 1:3) is always empty and reading it takes nothing from anyone (`curl -K /dev/null`).
const isDevNull = (st: Stats) => st.isCharacterDevice() && st.rdev === 259;

const failed = (path: string, shown: string, why: string): FileRead => ({ ok: false, path, problem: `${shown} ${why}` });

/**
 * `path` must be absolute; `shown` names it in problems. stat first (no open at all for a FIFO: opening
 * one would release a writer waiting for its reader), then open O_NONBLOCK and fstat the very file
 * opened (a swap between the two calls is caught by the inode check).
 */
export const readPayloadBytes = (path: string, shown = path, cap = MAX_PAYLOAD_BYTES, deadlineMs = PAYLOAD_READ_DEADLINE_MS): FileRead => {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (err) {
    return failed(path, `cannot read ${shown}`, `(${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (isDevNull(before)) return { ok: true, path, bytes: Buffer.alloc(0), text: '', sha256: sha256('') };
  if (!before.isFile()) return failed(path, shown, `is ${kindOf(before)}: its content is only known when the tool reads it`);
  if (before.size > cap) return failed(path, shown, `is larger than ${cap} bytes`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return failed(path, `cannot read ${shown}`, `(${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) return failed(path, shown, 'changed while it was being opened');
    const started = Date.now();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > cap) return failed(path, shown, `is larger than ${cap} bytes`);
      chunks.push(n === CHUNK ? buf : buf.subarray(0, n));
      if (Date.now() - started > deadlineMs) return failed(path, shown, `could not be read within ${deadlineMs} ms`);
    }
    const bytes = Buffer.concat(chunks, total);
    return { ok: true, path, bytes, text: bytes.toString('utf8'), sha256: sha256(bytes) };
  } catch (err) {
    return failed(path, `cannot read ${shown}`, `(${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
};

/** The sha256 of a file now, or null when it is no longer a readable regular file within the cap. */
export const hashNow = (path: string): string | null => {
  const r = readPayloadBytes(path);
  return r.ok ? r.sha256 : null;
};

/**
 * A caller-writable file read by the gate itself (a resolver's ~/.pg_service.conf, ~/.railway/config.json):
 * the same rules as a payload; throws (like readFileSync) when it is not a regular file within the cap.
 */
export const readRegularText = (path: string): string => {
  const r = readPayloadBytes(path);
  if (!r.ok) throw new Error(r.problem);
  return r.text;
};
