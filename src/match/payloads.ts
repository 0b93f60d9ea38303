// Collect the payload texts (SQL, request bodies…) an analyzer should judge, from where the grammar says.
// Files are read through a PayloadReader: regular files only, capped while reading, never blocking, hashed.
import type { Payload } from '../analyzers/types.js';
import { namesStdin, PayloadReader } from '../payload/reader.js';
import type { PayloadSource } from '../rulesets/types.js';
import type { Invocation, StdinSource } from '../types.js';
import type { ReadArgs } from './read-args.js';

export { MAX_PAYLOAD_BYTES } from '../payload/read.js';

const readPayloadFile = (reader: PayloadReader, path: string, cwd: string, origin: string): Payload => {
  const got = reader.file(path, cwd);
  return got.text === null ? { text: null, origin, problem: got.problem ?? `cannot read ${path}` } : { text: got.text, origin };
};

// Pipes whose contents the line spells out (`echo SQL |`, `cat f.sql |`, `cat <<EOF |`) were already
// turned into that content by the parse stage (withLineContext); any other producer is unknown.
const fromPipe = (from: string): Payload => ({ text: null, origin: 'pipe', problem: `stdin comes from \`${from.trim()}\`, whose output is unknown until it runs` });

/** Stdin as a payload; null when stdin is the caller's terminal or an unknown inherited stream. */
export const stdinPayload = (stdin: StdinSource, cwd: string, reader = new PayloadReader()): Payload | null => {
  switch (stdin.kind) {
    case 'heredoc':
      return { text: stdin.body, origin: 'heredoc' };
    case 'herestring':
      return { text: stdin.body, origin: 'here-string' };
    case 'buffered':
      reader.note('stdin', stdin.truncated ? null : stdin.body);
      return stdin.truncated ? { text: null, origin: 'stdin', problem: 'stdin is larger than the analysis cap' } : { text: stdin.body, origin: 'stdin' };
    case 'file':
      return readPayloadFile(reader, stdin.path, cwd, `< ${stdin.path}`);
    case 'pipe':
      return fromPipe(stdin.from);
    case 'inherit':
    case 'terminal':
      return null;
  }
};

export const collectPayloads = (inv: Invocation, read: ReadArgs, source: PayloadSource, cwd: string, reader = new PayloadReader()): Payload[] => {
  const out: Payload[] = [];
  for (const flag of source.flags ?? []) for (const v of read.flags.get(flag) ?? []) out.push({ text: v, origin: flag });
  let stdinWanted = !!source.stdin && !(source.stdinUnless ?? []).some((f) => read.flags.has(f));
  // A flag that names stdin (`-f -`, `-d @-`, `-f /dev/stdin`) reads it for sure: an inherited stdin is
  // then unknown, not absent; and it is never opened here (that would take the bytes from the tool).
  let stdinNamed = false;
  for (const flag of source.fileFlags ?? []) {
    for (const v of read.flags.get(flag) ?? []) {
      if (namesStdin(v)) stdinWanted = stdinNamed = true;
      else out.push(readPayloadFile(reader, v, cwd, `${flag} ${v}`));
    }
  }
  for (const flag of source.atFileFlags ?? []) {
    for (const v of read.flags.get(flag) ?? []) {
      if (v.startsWith('@') && namesStdin(v)) stdinWanted = stdinNamed = true;
      else if (v.startsWith('@')) out.push(readPayloadFile(reader, v.slice(1), cwd, `${flag} ${v}`));
      else out.push({ text: v, origin: flag });
    }
  }
  if (source.positionals) for (const p of read.positionals) out.push({ text: p, origin: 'argument' });
  if (stdinWanted) {
    const p = stdinPayload(inv.stdin, cwd, reader);
    if (p) out.push(p);
    else if (stdinNamed) out.push({ text: null, origin: 'stdin', problem: 'the payload is read from stdin, whose content is not known before the command runs' });
  }
  return out;
};
