// Part of parse: what flows through a pipe, when the line itself says (`cat <<EOF | psql`, `echo SQL | psql`).
import { pgDumpOutput } from '../analyzers/psql-pg-dump.js';
import type { ParsedLine, SimpleCommand, StdinSource } from '../types.js';
import { exportedBefore } from './parse.js';

const literal = (cmd: SimpleCommand, i: number) => !cmd.dynamic.includes(i);

/** The stdin an upstream command produces, if it only passes on text the line spells out. */
const outputOf = (up: SimpleCommand): StdinSource | null => {
  const [name, ...args] = up.argv;
  if (name === 'cat' && args.length === 0) return up.stdin.kind === 'pipe' || up.stdin.kind === 'inherit' ? null : up.stdin;
  if (name === 'cat' && args.length === 1 && args[0] !== '-' && literal(up, 1)) return { kind: 'file', path: args[0]! };
  if (name === 'echo' && args.every((_, i) => literal(up, i + 1))) {
    const words = args[0] === '-n' || args[0] === '-e' ? args.slice(1) : args;
    return { kind: 'herestring', body: words.join(' ') };
  }
  if (name === 'pg_dump') return pgDumpOutput(up);
  if (name === 'printf' && args.length === 1 && literal(up, 1) && !args[0]!.includes('%')) return { kind: 'herestring', body: args[0]!.replace(/\\n/g, '\n') };
  return null;
};

/** Replace `pipe` stdin with the upstream's known output; anything else stays a pipe (unknown content). */
export const resolvePipedStdin = (commands: SimpleCommand[]): SimpleCommand[] =>
  commands.map((cmd, i) => {
    if (cmd.stdin.kind !== 'pipe') return cmd;
    const from = cmd.stdin.from;
    const up = commands.slice(0, i).reverse().find((c) => c.text === from);
    const known = up ? outputOf(up) : null;
    return known ? { ...cmd, stdin: known } : cmd;
  });

/**
 * What a line says about its own commands' surroundings: later commands see earlier exports
 * (`export X=…; cmd`, more env, never less) and the known contents of their pipes. Every caller that
 * judges a parsed line (the pipeline, a nested `bash -c` string, rule examples) reads it through this.
 */
export const withLineContext = <T extends ParsedLine>(parsed: T): T => {
  const exported = exportedBefore(parsed.commands);
  const commands = resolvePipedStdin(parsed.commands).map((c, i) => ({ ...c, assignments: { ...exported[i], ...c.assignments } }));
  return { ...parsed, commands };
};
