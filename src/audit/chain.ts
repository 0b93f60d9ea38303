// The audit log's hash chain: each record names the sha256 of the line before it.
import { sha256Hex } from '../approvals/canonical.js';

export const GENESIS = '0'.repeat(64);

/** Why: what a record's `prev` must equal — the hash of the previous line's exact text. */
export const hashLine = (line: string): string => sha256Hex(line);

/** Last record's seq and hash, kept beside the log so cutting records off the end is noticed. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export type ChainProblem = { line: number; seq: number | null; message: string };

export interface ChainReport {
  records: number;
  problem: ChainProblem | null;
}

/**
 * Why: `log --verify` must name the FIRST place the chain breaks, and say what kind of break it is
 * (edited, missing, out of order, truncated), not just "invalid".
 */
export const verifyChain = (text: string, head: ChainHead | null): ChainReport => {
  const lines = text.split('\n');
  const torn = lines[lines.length - 1] !== '';
  if (!torn) lines.pop();
  // Where each seq sits, so a gap can be told apart from records that were only moved.
  const lineOfSeq = new Map<number, number>();
  for (const [i, line] of lines.entries()) {
    const m = /^\{"seq":(\d+),/.exec(line);
    if (m && !lineOfSeq.has(Number(m[1]))) lineOfSeq.set(Number(m[1]), i + 1);
  }
  let prevHash = GENESIS;
  let prevSeq = 0;
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    if (torn && n === lines.length) return { records: i, problem: { line: n, seq: null, message: `line ${n} is an incomplete record (no newline): torn write or truncation` } };
    let rec: { seq?: unknown; prev?: unknown };
    try {
      rec = JSON.parse(line) as { seq?: unknown; prev?: unknown };
    } catch {
      return { records: i, problem: { line: n, seq: null, message: `line ${n} is not a JSON record` } };
    }
    const seq = typeof rec.seq === 'number' ? rec.seq : null;
    if (seq === null) return { records: i, problem: { line: n, seq, message: `line ${n} has no sequence number` } };
    if (seq !== prevSeq + 1) {
      const movedTo = lineOfSeq.get(prevSeq + 1);
      const message =
        seq <= prevSeq
          ? `line ${n}: record #${seq} comes after #${prevSeq} — records were reordered or duplicated`
          : movedTo !== undefined
            ? `line ${n}: record #${seq} follows #${prevSeq} — records were reordered (#${prevSeq + 1} is at line ${movedTo})`
            : `line ${n}: record #${seq} follows #${prevSeq} — ${seq - prevSeq - 1 === 1 ? `record #${prevSeq + 1} is` : `records #${prevSeq + 1}–#${seq - 1} are`} missing`;
      return { records: i, problem: { line: n, seq, message } };
    }
    if (rec.prev !== prevHash) {
      const message = n === 1 ? `line 1: record #${seq} does not start the chain (prev is not the genesis hash) — records before it are missing` : `line ${n}: record #${seq} does not link to line ${n - 1} — record #${prevSeq} was edited`;
      return { records: i, problem: { line: n, seq, message } };
    }
    prevHash = hashLine(line);
    prevSeq = seq;
  }
  const count = lines.length;
  if (head) {
    if (head.seq > prevSeq) {
      return { records: count, problem: { line: count + 1, seq: prevSeq + 1, message: `the log ends at record #${prevSeq} but #${head.seq} was written — ${head.seq - prevSeq} record(s) cut off the end` } };
    }
    if (head.seq === prevSeq && head.hash !== prevHash) {
      return { records: count, problem: { line: count, seq: prevSeq, message: `line ${count}: the last record (#${prevSeq}) was edited after it was written` } };
    }
  }
  return { records: count, problem: null };
};
