// Stage 1: a shell command line → every simple command it would run.
// Plain lines (words, quotes, `| && || ; &`, simple redirects) go through shell-quote; anything it
// cannot represent goes to the real bash grammar, loaded only then (bash-syntax.ts).
import { parse as shellQuoteParse } from 'shell-quote';
import type { ParseResult } from '../parse/result.js';
import { MAX_COMMANDS, MAX_LINE_BYTES, MAX_SEPARATORS, separatorCount, splitAssignment, stdinFromRedirects, tooLong, withoutNul } from '../parse/words.js';
import type { Redirect, SimpleCommand } from '../types.js';

export type { ParseResult } from '../parse/result.js';
export { splitAssignment, stdinFromRedirects } from '../parse/words.js';

/** Parses any shell line; loads the bash grammar only when the fast path cannot represent the line. */
export async function parseLine(raw: string): Promise<ParseResult> {
  const text = withoutNul(raw);
  if (text.length > MAX_LINE_BYTES) {
    return { commands: [], unknowns: [tooLong(`line longer than ${MAX_LINE_BYTES} bytes`, text)], parser: 'shell-quote' };
  }
  const simple = parseSimple(text);
  if (simple) return simple;
  if (separatorCount(text) > MAX_SEPARATORS) {
    return { commands: [], unknowns: [tooLong(`more than ${MAX_COMMANDS} commands in one line`, text)], parser: 'tree-sitter-bash' };
  }
  const { parseWithBashGrammar } = await import('./bash-syntax.js');
  return parseWithBashGrammar(text);
}

/** Words that start shell syntax shell-quote knows nothing about; such lines need the real parser. */
const SHELL_KEYWORDS = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done',
  'function', 'in', '!', '[[', ']]', '{', '}', 'coproc',
]);

const CONTROL_OPS = ['&&', '||', '|&', '|', ';', '&', '\n'] as const;
type ControlOp = (typeof CONTROL_OPS)[number];

/** Redirect operators as shell-quote reports them, longest first. */
const REDIRECT_OPS = ['&>>', '&>', '>>', '>&', '>|', '<&', '<>', '>', '<'] as const;

interface Segment {
  /** Source text, trimmed (what SimpleCommand.text shows). */
  text: string;
  /** The same text with line continuations removed (what shell-quote reads). */
  clean: string;
  /** One entry per redirect operator, in order: the fd digits written before it, or null. */
  redirectFds: Array<string | null>;
  /** The control operator that ends this segment (null at the end of the line). */
  op: ControlOp | null;
}

/**
 * Sync fast path: returns null when the line needs the real bash parser (heredocs, `$(…)`, backticks,
 * `( )`, `{ }`, keywords, `<(…)`, `$'…'`, comments, unclosed quotes, globs shell-quote misreads…).
 */
export function parseSimple(raw: string): ParseResult | null {
  const text = withoutNul(raw);
  const segments = scanSegments(text);
  if (!segments) return null;
  if (segments.length > MAX_COMMANDS) return { commands: [], unknowns: [tooLong(`more than ${MAX_COMMANDS} commands in one line`, text)], parser: 'shell-quote' };
  const commands: SimpleCommand[] = [];
  let previous: { text: string; op: ControlOp | null } | null = null;
  for (const [index, segment] of segments.entries()) {
    const built = buildSegment(segment);
    if (built === null) return null;
    const isLast = index === segments.length - 1;
    if (built === 'empty') {
      const after = segment.op;
      // An empty segment is only fine around newlines or at the very end after `;`/`&`.
      const endsCleanly = after === null ? previous === null || isSeparator(previous.op) : after === '\n';
      if (!endsCleanly) return null;
    } else {
      if (previous && isPipe(previous.op) && built.stdin.kind === 'inherit') {
        built.stdin = { kind: 'pipe', from: previous.text };
      }
      if (built.argv.length > 0 || Object.keys(built.assignments).length > 0) commands.push(built); // `cmd=ls` feeds `$cmd`
      if (isLast && segment.op !== null && !isSeparator(segment.op)) return null;
    }
    previous = { text: built === 'empty' ? '' : built.text, op: segment.op };
  }
  return { commands, unknowns: [], parser: 'shell-quote' };
}

function isPipe(op: ControlOp | null): boolean {
  return op === '|' || op === '|&';
}

function isSeparator(op: ControlOp | null): boolean {
  return op === ';' || op === '&' || op === '\n';
}

/**
 * Walks the line once, tracking quotes, and splits it at control operators. Returns null as soon
 * as something appears that shell-quote would misread or cannot represent.
 */
function scanSegments(text: string): Segment[] | null {
  const segments: Segment[] = [];
  let start = 0;
  let clean = '';
  let fds: Array<string | null> = [];
  let quote: "'" | '"' | null = null;
  let lastOp: ControlOp | null = null;

  const close = (end: number, op: ControlOp | null, opLength: number): void => {
    segments.push({ text: text.slice(start, end).trim(), clean, redirectFds: fds, op });
    start = end + opLength;
    clean = '';
    fds = [];
    lastOp = op;
  };

  for (let i = 0; i < text.length; i++) {
    if (segments.length > MAX_COMMANDS) return segments; // over the cap: the caller reports it, no need to read on
    const c = text[i]!;
    const next = text[i + 1];
    if (quote === "'") {
      if (c === "'") quote = null;
      clean += c;
      continue;
    }
    if (c === '\\') {
      if (next === '\n') { i++; continue; } // line continuation: removed before anything else
      if (next === undefined || next === '`') return null;
      if (quote === null && (next === '*' || next === '?' || next === '[')) return null; // shell-quote globs these anyway
      clean += c + next;
      i++;
      continue;
    }
    if (c === '`') return null;
    if (c === '$') {
      const length = simpleDollarLength(text, i);
      if (length === 0) return null;
      clean += text.slice(i, i + length);
      i += length - 1;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      clean += c;
      continue;
    }
    // Unquoted from here on.
    if (c === "'" || c === '"') { quote = c; clean += c; continue; }
    if ('(){}[#!'.includes(c)) return null;
    if (c === '<' && (next === '<' || next === '(')) return null;
    if (c === '>' && next === '(') return null;
    if (c === ';' && next === ';') return null;
    if (c === '\n') {
      // After `|`, `&&`, `||` a newline just continues the command list.
      if (clean.trim() === '' && (lastOp === '|' || lastOp === '|&' || lastOp === '&&' || lastOp === '||')) {
        clean += ' ';
        continue;
      }
      close(i, '\n', 1);
      continue;
    }
    const redirect = REDIRECT_OPS.find((op) => text.startsWith(op, i));
    if (redirect) {
      fds.push(redirect.startsWith('&') ? null : fdBefore(clean));
      clean += redirect;
      i += redirect.length - 1;
      continue;
    }
    const control = CONTROL_OPS.find((op) => op !== '\n' && text.startsWith(op, i));
    if (control) {
      close(i, control, control.length);
      i += control.length - 1;
      continue;
    }
    clean += c;
  }
  if (quote !== null) return null; // unclosed quote: the bash parser reports it as unknown
  close(text.length, null, 0);
  return segments;
}

/** Length of a `$NAME`, `${NAME}`, `$1`, `$@` … expansion at `i`, or 0 for anything richer. */
function simpleDollarLength(text: string, i: number): number {
  const rest = text.slice(i);
  const match = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\}|[0-9@*#?$!-])/.exec(rest);
  return match ? match[0].length : 0;
}

/** The digits right before a redirect operator when they form their own word (`2>`), else null. */
function fdBefore(clean: string): string | null {
  const match = /(^|[\s;&|])(\d+)$/.exec(clean);
  return match ? match[2]! : null;
}

// shell-quote calls this for each `$NAME`; the sentinel lets us keep the text literal and mark it dynamic.
const VAR_OPEN = '\u0001';
const VAR_CLOSE = '\u0002';
const varSentinel = (name: string): string => `${VAR_OPEN}${name}${VAR_CLOSE}`;
const SENTINEL_RE = /\u0001([^\u0002]*)\u0002/g;

function renderVars(value: string): { value: string; dynamic: boolean } {
  let dynamic = false;
  const rendered = value.replace(SENTINEL_RE, (_match, name: string, offset: number, whole: string) => {
    dynamic = true;
    const after = whole[offset + name.length + 2] ?? '';
    return /^[A-Za-z0-9_]/.test(after) && /^[A-Za-z_]/.test(name) ? `\${${name}}` : `$${name}`;
  });
  return { value: rendered, dynamic };
}

type Token = { word: string; dynamic: boolean } | { redirect: string };

/** One segment → a SimpleCommand, 'empty' when it has no words or redirects, null when unsure. */
function buildSegment(segment: Segment): SimpleCommand | 'empty' | null {
  let entries;
  try {
    entries = shellQuoteParse(segment.clean, varSentinel);
  } catch {
    return null;
  }
  const tokens: Token[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') tokens.push({ word: entry, dynamic: false });
    else if ('comment' in entry) return null;
    else if (entry.op === 'glob') tokens.push({ word: (entry as { pattern: string }).pattern, dynamic: true });
    else if ((REDIRECT_OPS as readonly string[]).includes(entry.op)) tokens.push({ redirect: entry.op });
    else return null;
  }
  if (tokens.length === 0) return 'empty';

  const words: Array<{ value: string; dynamic: boolean }> = [];
  const redirects: Redirect[] = [];
  let redirectIndex = 0;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if ('redirect' in token) {
      const fd = segment.redirectFds[redirectIndex++];
      if (fd === undefined) return null; // shell-quote and our scan disagree: don't guess
      let op = token.redirect;
      if (fd !== null) {
        const last = words.pop();
        if (!last || last.value !== fd) return null;
        op = fd + op;
      }
      const target = tokens[++t];
      if (!target || !('word' in target)) return null;
      redirects.push({ op, target: renderVars(target.word).value });
      continue;
    }
    const rendered = renderVars(token.word);
    words.push({ value: rendered.value, dynamic: rendered.dynamic || token.dynamic });
  }
  if (redirectIndex !== segment.redirectFds.length) return null;

  const assignments: Record<string, string> = {};
  let first = 0;
  while (first < words.length && /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(words[first]!.value)) {
    const [name, value] = splitAssignment(words[first]!.value);
    assignments[name] = value;
    first++;
  }
  const argvWords = words.slice(first);
  if (argvWords.length > 0 && SHELL_KEYWORDS.has(argvWords[0]!.value)) return null;
  const dynamic = argvWords.flatMap((w, index) => (w.dynamic ? [index] : []));
  return {
    argv: argvWords.map((w) => w.value),
    assignments,
    redirects,
    stdin: stdinFromRedirects(redirects, { kind: 'inherit' }),
    dynamic,
    text: segment.text,
  };
}

/**
 * For each command, the variables that `export NAME=value` / `declare -x` / `typeset -x` earlier in the
 * same line put into the environment (`export TF_CLI_ARGS_apply=-destroy; terraform apply`). Order in
 * the line is all that counts (an export inside an `if` still counts): more env, never less.
 */
export function exportedBefore(commands: SimpleCommand[]): Array<Record<string, string>> {
  let env: Record<string, string> = {};
  return commands.map((cmd) => {
    const before = env;
    const [name, ...args] = cmd.argv;
    const exporting = name === 'export' || ((name === 'declare' || name === 'typeset') && args.some((a) => /^-[a-zA-Z]*x/.test(a)));
    if (exporting && !args.includes('-n')) {
      env = { ...env };
      for (const arg of args) {
        if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(arg)) {
          const [key, value] = splitAssignment(arg);
          env[key] = value;
        } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg)) env[arg] ??= `$${arg}`;
      }
    }
    return before;
  });
}
