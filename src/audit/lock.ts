// A lock file taken with O_EXCL, so concurrent shims append one at a time. A lock whose holder died is
// broken — carefully: by renaming it aside and checking it is still the one judged stale.
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its pid is alive (pid reuse, a hung process). */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readLock = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** A holder writes its content right after creating the file: unreadable content older than this was torn. */
const TORN_MS = 1000;

const ageOf = (path: string, now: number): number => {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

const isStale = (path: string, content: string, staleMs: number, now: number): boolean => {
  const [pidText, timeText] = content.split('\n');
  const pid = Number(pidText);
  const since = Number(timeText);
  // Empty or garbage (a crash or ENOSPC between create and write): being written right now, or torn; age decides.
  if (!/^\d+$/.test(pidText ?? '') || !Number.isFinite(since) || since <= 0) return ageOf(path, now) > TORN_MS;
  return !alive(pid) || now - since > staleMs;
};

/** Move a stale lock aside; if what we moved was not the stale one, put it back. */
const breakStale = (path: string, judged: string): void => {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it first
  }
  if (readLock(aside) !== judged) {
    try {
      linkSync(aside, path);
    } catch {
      // a new holder exists already; theirs stands
    }
  }
  rmSync(aside, { force: true });
};

/** Why: appends from concurrent shims must not interleave or fork the hash chain. */
export const withLock = async <T>(path: string, fn: () => T | Promise<T>, opts: LockOptions = {}): Promise<T> => {
  // Holders keep it for milliseconds; a long wait only happens under heavy load, and giving up loses a record.
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const mine = `${process.pid}\n${Date.now()}\n${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readLock(path);
    if (held !== null && isStale(path, held, staleMs, Date.now())) {
      breakStale(path, held);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`lock ${path} is held by another process (${held?.split('\n')[0] ?? '?'})`);
    await sleep(Math.min(2 + attempt, 25));
  }
  try {
    return await fn();
  } finally {
    // Only remove the lock if it is still ours.
    if (readLock(path) === mine) rmSync(path, { force: true });
  }
};
