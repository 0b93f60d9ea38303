// Collect the payload texts (SQL, request bodies…) an analyzer should judge, from where the grammar says.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Payload } from '../analyzers/types.js';
import type { PayloadSource } from '../rulesets/types.js';
import type { Invocation, StdinSource } from '../types.js';
import type { ReadArgs } from './read-args.js';

/** Cap on a payload file read for analysis; larger files are judged unknown rather than held in memory. */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

const readPayloadFile = (path: string, cwd: string, origin: string): Payload => {
  try {
    const text = readFileSync(isAbsolute(path) ? path : resolve(cwd, path), 'utf8');
    if (text.length > MAX_PAYLOAD_BYTES) return { text: null, origin, problem: `${path} is larger than ${MAX_PAYLOAD_BYTES} bytes` };
    return { text, origin };
  } catch (err) {
    return { text: null, origin, problem: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
};

// Pipes whose contents the line spells out (`echo SQL |`, `cat f.sql |`, `cat <<EOF |`) were already
// turned into that content by the parse stage (withLineContext); any other producer is unknown.
const fromPipe = (from: string): Payload => ({ text: null, origin: 'pipe', problem: `stdin comes from \`${from.trim()}\`, whose output is unknown until it runs` });

/** Stdin as a payload; null when stdin is the caller's terminal or an unknown inherited stream. */
export const stdinPayload = (stdin: StdinSource, cwd: string): Payload | null => {
  switch (stdin.kind) {
    case 'heredoc':
      return { text: stdin.body, origin: 'heredoc' };
    case 'herestring':
      return { text: stdin.body, origin: 'here-string' };
    case 'buffered':
      return stdin.truncated ? { text: null, origin: 'stdin', problem: 'stdin is larger than the analysis cap' } : { text: stdin.body, origin: 'stdin' };
    case 'file':
      return readPayloadFile(stdin.path, cwd, `< ${stdin.path}`);
    case 'pipe':
      return fromPipe(stdin.from);
    case 'inherit':
      return null;
  }
};

export const collectPayloads = (inv: Invocation, read: ReadArgs, source: PayloadSource, cwd: string): Payload[] => {
  const out: Payload[] = [];
  for (const flag of source.flags ?? []) for (const v of read.flags.get(flag) ?? []) out.push({ text: v, origin: flag });
  let stdinWanted = !!source.stdin && !(source.stdinUnless ?? []).some((f) => read.flags.has(f));
  // A flag that names stdin (`-f -`, `-d @-`) reads it for sure: an inherited stdin is then unknown, not absent.
  let stdinNamed = false;
  for (const flag of source.fileFlags ?? []) {
    for (const v of read.flags.get(flag) ?? []) {
      if (v === '-') stdinWanted = stdinNamed = true;
      else out.push(readPayloadFile(v, cwd, `${flag} ${v}`));
    }
  }
  for (const flag of source.atFileFlags ?? []) {
    for (const v of read.flags.get(flag) ?? []) {
      if (v === '@-') stdinWanted = stdinNamed = true;
      else if (v.startsWith('@')) out.push(readPayloadFile(v.slice(1), cwd, `${flag} ${v}`));
      else out.push({ text: v, origin: flag });
    }
  }
  if (source.positionals) for (const p of read.positionals) out.push({ text: p, origin: 'argument' });
  if (stdinWanted) {
    const p = stdinPayload(inv.stdin, cwd);
    if (p) out.push(p);
    else if (stdinNamed) out.push({ text: null, origin: 'stdin', problem: 'the payload is read from stdin, whose content is not known before the command runs' });
  }
  return out;
};
