// blastgate's side of the shim protocol (src/shims/template.ts): one line on the fd the shim opened,
// carrying the shim's nonce. Only a positive line lets the shim exec the tool; anything else is 77.
import { chmodSync, mkdtempSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ShimAnswer {
  fd: number;
  nonce: string;
}

export type AnswerWord = 'allow' | 'done' | 'stdin';

/** Write the answer. A shim that is gone (EPIPE) reads nothing, and so runs nothing. */
export const answerShim = (answer: ShimAnswer, word: AnswerWord, extra?: string): void => {
  const line = Buffer.from(`${word} ${answer.nonce}${extra === undefined ? '' : ` ${extra}`}\n`);
  let written = 0;
  while (written < line.length) written += writeSync(answer.fd, line, written);
};

/**
 * The stdin the check read, in a private file the shim redirects into the tool's stdin (then removes
 * the dir): the bytes reach the tool exactly, and the tool still is the process the caller started.
 */
export const writeReplayFile = (chunks: Buffer[]): string => {
  const dir = mkdtempSync(join(resolve(tmpdir()), 'blastgate-stdin-'));
  chmodSync(dir, 0o700);
  const file = join(dir, 'stdin');
  writeFileSync(file, Buffer.concat(chunks), { mode: 0o600 });
  return file;
};

/**
 * Calls `onGone` once our parent (the shim) has died — SIGKILLed by a harness timeout, say — so no
 * prompt, wait or child outlives the process the caller started. Polls: Node has no PR_SET_PDEATHSIG.
 */
export const watchParent = (onGone: () => void, everyMs = 200): (() => void) => {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};
