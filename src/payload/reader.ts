// One verdict's payload reads: every file read through here is read once (a second mention gets the
// same bytes), and its sha256 lands in Verdict.payloads for approvals to bind and `run` to re-check.
import { isAbsolute, resolve } from 'node:path';
import type { PayloadSnapshot } from '../types.js';
import { readPayloadBytes, sha256 } from './read.js';
import { isWritten, type WrittenPaths } from './written.js';

export interface PayloadFile {
  text: string | null;
  /** Absolute path read. */
  path: string;
  problem?: string;
}

/** Spellings of a path that name the process's own stdin (`psql -f /dev/stdin`): they read stdin, not a file. */
const STDIN_PATHS = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);
export const namesStdin = (word: string): boolean => STDIN_PATHS.has(word.startsWith('@') ? word.slice(1) : word);

export class PayloadReader {
  private readonly files = new Map<string, PayloadFile>();
  private readonly seen = new Map<string, PayloadSnapshot>();

  /** `written`: files the command line writes (then they are unknown: read now, they are not what runs). */
  constructor(readonly written: WrittenPaths = []) {}

  /** Read `path` (relative to `cwd`); `shown` is how the command line names it. */
  file(path: string, cwd: string, shown = path): PayloadFile {
    const abs = isAbsolute(path) ? path : resolve(cwd, path);
    const had = this.files.get(abs);
    if (had) return had;
    if (isWritten(abs, this.written)) {
      const got = { text: null, path: abs, problem: `${shown} is written earlier on this command line: its content is only known when it runs` };
      this.files.set(abs, got);
      this.seen.set(abs, { source: abs, sha256: null });
      return got;
    }
    const r = readPayloadBytes(abs, shown);
    const got: PayloadFile = r.ok ? { text: r.text, path: abs } : { text: null, path: abs, problem: r.problem };
    this.files.set(abs, got);
    this.seen.set(abs, { source: abs, sha256: r.ok ? r.sha256 : null });
    return got;
  }

  /** Text judged that did not come from a file (stdin replayed byte for byte, a variable's value). */
  note(source: string, text: string | null) {
    this.seen.set(source, { source, sha256: text === null ? null : sha256(text) });
  }

  snapshots(): PayloadSnapshot[] {
    return [...this.seen.values()];
  }
}
