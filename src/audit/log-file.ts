// The audit log on disk: $XDG_STATE_HOME/blastgate/audit.jsonl, appended under a lock, one whole line per write.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Paths } from '../config/paths.js';
import { GENESIS, hashLine, type ChainHead } from './chain.js';
import { withLock } from './lock.js';
import { mirrorToSystemLog } from './system-mirror.js';
import type { AuditRecord, RecordBody } from './record.js';

export const auditLogPath = (paths: Paths): string => join(paths.stateDir, 'audit.jsonl');
export const auditHeadPath = (paths: Paths): string => `${auditLogPath(paths)}.head`;

/** Bytes read back from the end to find the last record (records are a few KiB at most). */
const TAIL_WINDOW = 256 * 1024;

/** The last line of the file (complete or torn) and whether the file ends in a newline. */
const lastLine = (fd: number): { line: string | null; endsWithNewline: boolean } => {
  const size = fstatSync(fd).size;
  if (size === 0) return { line: null, endsWithNewline: true };
  const len = Math.min(size, TAIL_WINDOW);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  const text = buf.toString('utf8');
  const endsWithNewline = text.endsWith('\n');
  const body = endsWithNewline ? text.slice(0, -1) : text;
  const start = body.lastIndexOf('\n');
  if (start === -1 && len < size) throw new Error('last audit record is larger than the read window');
  return { line: body.slice(start + 1), endsWithNewline };
};

const seqOf = (line: string | null): number => {
  if (line === null) return 0;
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return typeof seq === 'number' ? seq : 0;
  } catch {
    return 0;
  }
};

export const readHead = (paths: Paths): ChainHead | null => {
  try {
    const h = JSON.parse(readFileSync(auditHeadPath(paths), 'utf8')) as ChainHead;
    return typeof h.seq === 'number' && typeof h.hash === 'string' ? h : null;
  } catch {
    return null;
  }
};

/**
 * Why: the only writer of the log. Under the lock it reads the last line, chains to it, and writes the
 * new record with ONE write(2) on an O_APPEND fd, so a reader never sees half a record from us.
 */
export const appendRecord = async (paths: Paths, body: RecordBody): Promise<AuditRecord> => {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const file = auditLogPath(paths);
  return withLock(`${file}.lock`, () => {
    const fd = openSync(file, 'a+', 0o600);
    try {
      const last = lastLine(fd);
      // After a torn line the head file still knows the last good seq.
      const seq = Math.max(seqOf(last.line), readHead(paths)?.seq ?? 0) + 1;
      const record: AuditRecord = { seq, ...body, prev: last.line === null ? GENESIS : hashLine(last.line) };
      // A torn last line (crash mid-write elsewhere) gets terminated so ours stays a whole line; verify reports it.
      const text = `${last.endsWithNewline ? '' : '\n'}${JSON.stringify(record)}\n`;
      const buf = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
      mirrorToSystemLog(JSON.stringify(record));
      const head: ChainHead = { seq: record.seq, hash: hashLine(JSON.stringify(record)) };
      const tmp = `${auditHeadPath(paths)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(head), { mode: 0o600 });
      renameSync(tmp, auditHeadPath(paths));
      return record;
    } finally {
      closeSync(fd);
    }
  });
};

/** Why: `log` reads the whole file; unparseable lines are skipped here and reported by `--verify`. */
export const readRecords = (paths: Paths): AuditRecord[] => {
  let text: string;
  try {
    text = readFileSync(auditLogPath(paths), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    if (!line) return [];
    try {
      return [JSON.parse(line) as AuditRecord];
    } catch {
      return [];
    }
  });
};

/** How far back `usedInLog` reads: approvals live minutes, and a record is well under 4 KiB. */
const USE_WINDOW = 1024 * 1024;

/**
 * Why: a second, independent record that an approval was used. Deleting the used marker (one file)
 * is not enough to replay an approval: its use is also in the hash-chained log, and removing that
 * record breaks the chain (`blastgate log --verify`).
 */
export const usedInLog = (paths: Paths, approvalId: string): boolean => {
  let fd: number;
  try {
    fd = openSync(auditLogPath(paths), 'r');
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, USE_WINDOW);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const needle = `"approvalId":${JSON.stringify(approvalId)}`;
    return buf
      .toString('utf8')
      .split('\n')
      .some((line) => {
        if (!line.includes(needle)) return false;
        try {
          const r = JSON.parse(line) as Partial<AuditRecord>;
          return r.kind === 'decision' && r.decision === 'approved' && r.approvalId === approvalId;
        } catch {
          return false;
        }
      });
  } finally {
    closeSync(fd);
  }
};
