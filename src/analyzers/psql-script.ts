// Split a psql script the way psql's own lexer does: SQL statements at top-level `;`, backslash
// meta-commands, psql variables substituted, `COPY … FROM stdin` data skipped. The SQL parser only
// ever sees what psql would send to the server.

/** A statement psql would send to the server (variables already substituted). */
export interface ScriptStatement {
  type: 'sql';
  text: string;
  /** Variables used bare (`:name`) whose value is only known at run time: they may hold any SQL. */
  runtimeVars: string[];
}

/** A backslash meta-command with its words (quotes removed, variables substituted). */
export interface ScriptMeta {
  type: 'meta';
  /** Command name without the backslash, e.g. 'i', 'copy', '!', 'dt+'. */
  name: string;
  args: string[];
  /** The argument text as written (for `\!` and `\copy`, which take the whole line). */
  raw: string;
  /** An argument was a backquoted shell command (`\set x \`cmd\``). */
  shell: boolean;
  /** psql variables as they stand when this command runs (for `\i`, whose file shares them). */
  vars: Map<string, string | null>;
}

export type ScriptItem = ScriptStatement | ScriptMeta;

export interface ScanOptions {
  /** Known psql variables (`-v name=value`, `\set`); null: set, value unknown (`\prompt`, `\gset`). */
  vars: Map<string, string | null>;
  /** psql -S: a newline ends a statement. */
  singleLine: boolean;
  /** pgbench scripts: `\set` computes a number and a variable never holds SQL, so one without a known value reads as 0. */
  numericVars?: boolean;
}

/** Meta-commands that send the query buffer (like `;`). */
const SENDS = new Set(['g', 'gx', 'gset', 'gexec', 'gdesc', 'crosstabview', 'watch', 'sendpipeline', 'parse', 'bind_named']);
/** Meta-commands whose argument is the rest of the line, unparsed. */
const WHOLE_LINE = new Set(['!', 'copy', 'help', 'h', 'sf', 'sf+', 'sv', 'sv+', 'ef', 'ev']);
/** A variable value that cannot change how the text around it is read (no quotes, `;`, comments, `:`…). */
const PLAIN_VALUE = /^[A-Za-z0-9_ .,=<>+*]*$/;
/** Bound on variable expansions, against `\set x :x` style loops. */
const MAX_EXPANSIONS = 1000;

const isIdentStart = (c: string | undefined) => !!c && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
const isIdentChar = (c: string | undefined) => !!c && (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80);
const VAR_NAME = /[A-Za-z0-9_]+/y;
const META_NAME = /\\([A-Za-z][A-Za-z0-9_]*\+?|.)/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const BOOL_VAR = /:\{\?([A-Za-z0-9_]+)\}/y;
const WORD = /[A-Za-z0-9_$\u0080-\uffff]+/y;

/** A sticky regex matched at `at` (no slicing: scripts can be megabytes). */
const matchAt = (re: RegExp, text: string, at: number): RegExpExecArray | null => {
  re.lastIndex = at;
  return re.exec(text);
};

const quoteLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`;
const quoteIdent = (v: string) => `"${v.replace(/"/g, '""')}"`;

/** End index (exclusive) of a quoted run starting at `start` (the opening quote), honouring doubled quotes. */
const endOfQuoted = (text: string, start: number, quote: string, backslashEscapes: boolean): number => {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
};

const endOfBlockComment = (text: string, start: number): number => {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return text.length;
};

const lineEnd = (text: string, from: number): number => {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
};

const COPY_FROM_STDIN = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*copy\b[\s\S]*\bfrom\s+stdin\b/i;

interface ArgWords {
  words: string[];
  shell: boolean;
  end: number;
}

/** Read meta-command arguments from `i` up to end of line or an unquoted backslash. */
const readArgs = (text: string, i: number, vars: Map<string, string | null>): ArgWords => {
  const words: string[] = [];
  let shell = false;
  let word: string | null = null;
  const push = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  while (i < text.length && text[i] !== '\n') {
    const c = text[i]!;
    if (c === '\\') break;
    if (c === ' ' || c === '\t' || c === '\r') {
      push();
      i++;
    } else if (c === "'") {
      const end = endOfQuoted(text, i, "'", true);
      word = (word ?? '') + text.slice(i + 1, end - 1).replace(/''/g, "'").replace(/\\(.)/g, '$1');
      i = end;
    } else if (c === '"') {
      const end = endOfQuoted(text, i, '"', false);
      word = (word ?? '') + text.slice(i + 1, end - 1).replace(/""/g, '"');
      i = end;
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      shell = true;
      word = (word ?? '') + text.slice(i, end === -1 ? text.length : end + 1);
      i = end === -1 ? text.length : end + 1;
    } else if (c === ':' && matchAt(VAR_NAME, text, i + 1)) {
      const name = matchAt(VAR_NAME, text, i + 1)![0];
      const value = vars.get(name);
      word = (word ?? '') + (typeof value === 'string' ? value : `:${name}`);
      i += 1 + name.length;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  push();
  return { words, shell, end: i };
};

/** Split a psql script into the statements and meta-commands psql would run, in order. */
export const scanPsqlScript = (input: string, opts: ScanOptions): ScriptItem[] => {
  const vars = new Map(opts.vars);
  const items: ScriptItem[] = [];
  let text = input;
  let buf = '';
  let runtimeVars: string[] = [];
  let parenDepth = 0;
  let beginDepth = 0;
  let identCount = 0;
  let expansions = 0;
  let i = 0;

  const flush = () => {
    if (buf.trim() !== '') items.push({ type: 'sql', text: buf, runtimeVars });
    const sent = buf;
    buf = '';
    runtimeVars = [];
    parenDepth = 0;
    beginDepth = 0;
    identCount = 0;
    return sent;
  };
  // After `COPY … FROM stdin;` the following lines are data up to a line `\.`.
  const skipCopyData = (sent: string) => {
    if (!COPY_FROM_STDIN.test(sent)) return;
    let at = lineEnd(text, i) + 1;
    while (at <= text.length) {
      const end = lineEnd(text, at);
      if (text.slice(at, end).replace(/\r$/, '') === '\\.') {
        i = end + 1;
        return;
      }
      at = end + 1;
    }
    i = text.length;
  };

  const meta = () => {
    const m = matchAt(META_NAME, text, i);
    const name = m?.[1] ?? '';
    i += 1 + name.length;
    let args: ArgWords;
    let raw: string;
    if (WHOLE_LINE.has(name)) {
      const end = lineEnd(text, i);
      raw = text.slice(i, end).trim();
      args = { words: raw ? [raw] : [], shell: false, end };
    } else {
      args = readArgs(text, i, vars);
      raw = text.slice(i, args.end).trim();
    }
    i = args.end;
    if (text.startsWith('\\\\', i)) i += 2; // `\\` separates a meta-command from more text on the line
    else if (text[i] === '\n') i++;
    if (SENDS.has(name)) flush();
    items.push({ type: 'meta', name, args: args.words, raw, shell: args.shell, vars: new Map(vars) });
    applyVarEffects(name, args, vars);
    if (opts.numericVars && name === 'set' && args.words[0]) vars.set(args.words[0], '0');
  };

  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = lineEnd(text, i);
      buf += text.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const end = endOfBlockComment(text, i);
      buf += text.slice(i, end);
      i = end;
    } else if (c === "'") {
      const prev = buf[buf.length - 1];
      const escaped = (prev === 'e' || prev === 'E') && !isIdentChar(buf[buf.length - 2]);
      const end = endOfQuoted(text, i, "'", escaped);
      buf += text.slice(i, end);
      i = end;
    } else if (c === '"') {
      const end = endOfQuoted(text, i, '"', false);
      buf += text.slice(i, end);
      i = end;
    } else if (c === '$' && !isIdentChar(buf[buf.length - 1])) {
      const tag = matchAt(DOLLAR_TAG, text, i);
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? text.length : close + tag[0].length;
        buf += text.slice(i, end);
        i = end;
      } else {
        buf += c;
        i++;
      }
    } else if (c === ':' && next === ':') {
      buf += '::';
      i += 2;
    } else if (c === ':' && (next === "'" || next === '"') && matchAt(VAR_NAME, text, i + 2)) {
      const name = matchAt(VAR_NAME, text, i + 2)![0];
      if (text[i + 2 + name.length] !== next) {
        buf += c;
        i++;
        continue;
      }
      const value = vars.get(name);
      const shown = typeof value === 'string' ? value : `:${name}`;
      buf += next === "'" ? quoteLiteral(shown) : quoteIdent(shown);
      i += 3 + name.length;
    } else if (c === ':' && next === '{' && matchAt(BOOL_VAR, text, i)) {
      const m = matchAt(BOOL_VAR, text, i)!;
      buf += vars.has(m[1]!) ? 'TRUE' : 'FALSE';
      i += m[0].length;
    } else if (c === ':' && matchAt(VAR_NAME, text, i + 1)) {
      const name = matchAt(VAR_NAME, text, i + 1)![0];
      const known = vars.get(name);
      const value = opts.numericVars && (typeof known !== 'string' || !PLAIN_VALUE.test(known)) ? '0' : known;
      const end = i + 1 + name.length;
      if (typeof value === 'string' && PLAIN_VALUE.test(value)) {
        buf += value;
        i = end;
      } else if (typeof value === 'string' && expansions++ < MAX_EXPANSIONS) {
        // psql re-reads a variable's value as script text: splice it in and keep scanning.
        text = text.slice(0, i) + value + text.slice(end);
      } else if (/^[0-9]/.test(name) && value === undefined) {
        buf += text.slice(i, end); // `arr[1:2]`: psql leaves an undefined variable as written
        i = end;
      } else {
        if (value === null || typeof value === 'string') runtimeVars.push(name);
        buf += quoteIdent(`:${name}`); // unknown value: a placeholder identifier keeps the statement parseable
        i = end;
      }
    } else if (c === '\\') {
      if (next === ';' || next === ':') {
        buf += next; // `\;` and `\:` put the character into the query without their usual meaning
        i += 2;
      } else meta();
    } else if (c === ';' && parenDepth === 0 && beginDepth === 0) {
      buf += ';';
      i++;
      const sent = flush();
      skipCopyData(sent);
    } else if (c === '\n' && opts.singleLine && parenDepth === 0 && beginDepth === 0) {
      buf += c;
      i++;
      const sent = flush();
      skipCopyData(sent);
    } else if (isIdentStart(c) && !isIdentChar(buf[buf.length - 1])) {
      const m = matchAt(WORD, text, i)!;
      const word = m[0];
      identCount++;
      const lower = word.toLowerCase();
      // psql's rule for `CREATE FUNCTION … BEGIN ATOMIC … END` and CASE … END: `;` inside does not end the statement.
      if ((lower === 'begin' || lower === 'case') && identCount > 1) beginDepth++;
      else if (lower === 'end' && beginDepth > 0) beginDepth--;
      buf += word;
      i += word.length;
    } else {
      if (c === '(') parenDepth++;
      else if (c === ')' && parenDepth > 0) parenDepth--;
      buf += c;
      i++;
    }
  }
  flush();
  return items;
};

// `\set`, `\unset`, `\prompt`, `\gset`, `\getenv` change variables later lines see.
const applyVarEffects = (name: string, args: ArgWords, vars: Map<string, string | null>) => {
  const [first, ...rest] = args.words;
  if (name === 'set' && first) vars.set(first, args.shell ? null : rest.join(''));
  else if (name === 'unset' && first) vars.delete(first);
  else if (name === 'prompt' && args.words.length > 0) vars.set(args.words[args.words.length - 1]!, null);
  else if (name === 'getenv' && rest[0]) vars.set(first!, null);
  else if (name === 'gset') for (const k of vars.keys()) vars.set(k, null); // any variable may now hold a query result
};
