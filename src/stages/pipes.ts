// Part of parse: what a line says about its own commands' surroundings — what flows through a pipe
// (`cat <<EOF | psql`, `echo SQL | psql`), files written earlier on the line (`printf … > x.sh && bash x.sh`),
// exports, and a command name held in a variable set on the same line (`cmd=ls; $cmd -la`).
import { pgDumpOutput } from '../analyzers/psql-pg-dump.js';
import type { ParsedLine, SimpleCommand, StdinSource } from '../types.js';
import { printfText } from '../parse/words.js';
import { exportedBefore } from './parse.js';

const literal = (cmd: SimpleCommand, i: number) => !cmd.dynamic.includes(i);

/** The stdin an upstream command produces, if it only passes on text the line spells out. */
export const outputOf = (up: SimpleCommand): StdinSource | null => {
  const [name, ...args] = up.argv;
  if (name === 'cat' && args.length === 0) return up.stdin.kind === 'pipe' || up.stdin.kind === 'inherit' ? null : up.stdin;
  if (name === 'cat' && args.length === 1 && args[0] !== '-' && literal(up, 1)) return { kind: 'file', path: args[0]! };
  if (name === 'echo' && args.every((_, i) => literal(up, i + 1))) {
    const words = args[0] === '-n' || args[0] === '-e' ? args.slice(1) : args;
    return { kind: 'herestring', body: words.join(' ') };
  }
  if (name === 'pg_dump') return pgDumpOutput(up);
  if (name === 'printf' && args.length === 1 && literal(up, 1) && !args[0]!.includes('%')) return { kind: 'herestring', body: printfText(args[0]!) };
  return null;
};

/** Replace `pipe` stdin with the upstream's known output; anything else stays a pipe (unknown content). */
export const resolvePipedStdin = (commands: SimpleCommand[]): SimpleCommand[] => {
  const byText = new Map<string, SimpleCommand>();
  return commands.map((cmd) => {
    let out = cmd;
    if (cmd.stdin.kind === 'pipe') {
      const up = byText.get(cmd.stdin.from);
      const known = up ? outputOf(up) : null;
      if (known) out = { ...cmd, stdin: known };
    }
    byText.set(cmd.text, cmd); // the latest command with this text is the upstream
    return out;
  });
};

const WRITES = new Set(['>', '>|', '1>', '1>|', '&>', '>>', '1>>', '&>>']);
const UNSURE_PATH = /[$`*?[\]{}~]/;

/** Text a command writes to stdout, when the line spells it out (for `> file`, `tee file`). */
const knownText = (cmd: SimpleCommand): string | null => {
  const out = outputOf(cmd);
  if (!out) return null;
  if (out.kind === 'herestring') return `${out.body}\n`;
  if (out.kind === 'heredoc') return out.body;
  return null;
};

/** For each command, the files written before it on the line (path → content, null when not known). */
export const writtenBefore = (commands: SimpleCommand[]): Array<Record<string, string | null> | undefined> => {
  let written: Record<string, string | null> | undefined;
  return commands.map((cmd) => {
    const before = written;
    const write = (path: string, text: string | null, append: boolean): void => {
      if (UNSURE_PATH.test(path)) return;
      written = { ...written };
      const prior = written[path];
      written[path] = append ? (prior === undefined || prior === null || text === null ? null : prior + text) : text;
    };
    for (const r of cmd.redirects) {
      if (WRITES.has(r.op)) write(r.target, knownText(cmd), r.op.includes('>>'));
    }
    if (cmd.argv[0] === 'tee') {
      const append = cmd.argv.some((a) => /^-[a-z]*a/.test(a) || a === '--append');
      const body = cmd.stdin.kind === 'herestring' ? `${cmd.stdin.body}\n` : cmd.stdin.kind === 'heredoc' ? cmd.stdin.body : null;
      cmd.argv.slice(1).forEach((path, k) => {
        if (!path.startsWith('-') && literal(cmd, k + 1)) write(path, body, append);
      });
    }
    return before;
  });
};

/** `$cmd` / `${cmd}` as the command name, with every assignment to it on the line giving one literal value. */
const commandVariables = (commands: SimpleCommand[]): Map<string, string> => {
  const values = new Map<string, Set<string>>();
  const blocked = new Set<string>();
  const assign = (name: string, value: string): void => {
    if (/[$`*?[]/.test(value)) blocked.add(name);
    (values.get(name) ?? values.set(name, new Set()).get(name)!).add(value);
  };
  for (const cmd of commands) {
    for (const [name, value] of Object.entries(cmd.assignments)) assign(name, value);
    // Any other mention of a bare name (read NAME, unset NAME, declare NAME=…, printf -v NAME, ${NAME:=…})
    // might set it: then it is not resolved.
    for (const word of cmd.argv.slice(1)) {
      for (const m of word.matchAll(/(^|[^$A-Za-z0-9_{])([A-Za-z_][A-Za-z0-9_]*)/g)) blocked.add(m[2]!);
      for (const m of word.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}A-Za-z0-9_]/g)) blocked.add(m[1]!);
    }
  }
  const resolved = new Map<string, string>();
  for (const [name, set] of values) if (set.size === 1 && !blocked.has(name)) resolved.set(name, [...set][0]!);
  return resolved;
};

const substituteCommandName = (cmd: SimpleCommand, vars: Map<string, string>, assignedBefore: Set<string>): SimpleCommand => {
  if (!cmd.dynamic.includes(0)) return cmd;
  const m = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(cmd.argv[0]!);
  const name = m?.[1] ?? m?.[2];
  if (!name || !vars.has(name) || !assignedBefore.has(name) || name in cmd.assignments) return cmd;
  const words = vars.get(name)!.split(/[ \t\n]+/).filter((w) => w !== '');
  const shift = words.length - 1;
  return {
    ...cmd,
    argv: [...words, ...cmd.argv.slice(1)],
    dynamic: cmd.dynamic.filter((d) => d > 0).map((d) => d + shift),
  };
};

/**
 * `alias name='commands'` earlier on the line: a later command named `name` is judged as the alias body
 * (with `shopt -s expand_aliases`, or in an interactive shell, bash substitutes it). As if expanded, always.
 */
const expandAliases = (commands: SimpleCommand[]): SimpleCommand[] => {
  const aliases = new Map<string, string>();
  return commands.map((cmd) => {
    const body = cmd.argv.length > 0 && !cmd.dynamic.includes(0) ? aliases.get(cmd.argv[0]!) : undefined;
    if (cmd.argv[0] === 'alias') {
      cmd.argv.slice(1).forEach((word, k) => {
        const eq = word.indexOf('=');
        if (eq > 0) aliases.set(word.slice(0, eq), cmd.dynamic.includes(k + 1) ? '$(alias)' : word.slice(eq + 1));
      });
    }
    if (body === undefined) return cmd;
    // `eval BODY ARGS…` reads like the expanded alias; a run-time body stays a run-time command name.
    return { ...cmd, argv: ['eval', body, ...cmd.argv.slice(1)], dynamic: [...(body.includes('$') ? [1] : []), ...cmd.dynamic.filter((d) => d > 0).map((d) => d + 1)] };
  });
};

/**
 * What a line says about its own commands' surroundings: later commands see earlier exports
 * (`export X=…; cmd`, more env, never less), the known contents of their pipes, the files written before
 * them, and a command name set in a variable on the line. Every caller that judges a parsed line (the
 * pipeline, a nested `bash -c` string, rule examples) reads it through this. Assignment-only commands
 * (`cmd=ls`) are consumed here.
 */
export const withLineContext = <T extends ParsedLine>(parsed: T): T => {
  const exported = exportedBefore(parsed.commands);
  const written = writtenBefore(parsed.commands);
  const vars = commandVariables(parsed.commands);
  const assigned = new Set<string>();
  const commands: SimpleCommand[] = [];
  expandAliases(resolvePipedStdin(parsed.commands)).forEach((c, i) => {
    if (c.argv.length === 0) {
      for (const name of Object.keys(c.assignments)) assigned.add(name);
      return;
    }
    const withContext: SimpleCommand = { ...substituteCommandName(c, vars, assigned), assignments: { ...exported[i], ...c.assignments } };
    const files = written[i];
    commands.push(files ? { ...withContext, written: files } : withContext);
  });
  return { ...parsed, commands };
};
