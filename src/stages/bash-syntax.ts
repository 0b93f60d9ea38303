// The real bash grammar (tree-sitter-bash on web-tree-sitter), for lines shell-quote cannot represent.
// Loaded lazily and once; walking the tree yields the same SimpleCommand shape as the fast path.
import { createRequire } from 'node:module';
import { useBaselineWasm } from '../io/wasm-baseline.js';
import { bashGrammarWasm, treeSitterRuntimeWasm } from '../io/grammar-files.js';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { Redirect, SimpleCommand, StdinSource, Unknown } from '../types.js';
import type { ParseResult } from '../parse/result.js';
import { decodeAnsiC, MAX_COMMANDS, stdinFromRedirects, tooLong } from '../parse/words.js';

export { decodeAnsiC } from '../parse/words.js';

let parserPromise: Promise<Parser> | undefined;

/** Loads web-tree-sitter and the bash grammar on first use; later calls share the same Parser. */
export function loadBashParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    // V8 otherwise tiers the grammar's huge lexer function up to TurboFan in the background, and the
    // process then waits ~450 ms for that compile before it can exit. Liftoff code parses just as fast here.
    // (Affects WASM compiled after this point only; set before any module is compiled.)
    useBaselineWasm();
    const { Parser: ParserClass, Language } = await import('web-tree-sitter');
    const require = createRequire(import.meta.url);
    const runtimeWasm = treeSitterRuntimeWasm(require);
    await ParserClass.init({ locateFile: () => runtimeWasm });
    const bash = await Language.load(bashGrammarWasm(require));
    const parser = new ParserClass();
    parser.setLanguage(bash);
    return parser;
  })();
  parserPromise.catch(() => { parserPromise = undefined; }); // let a later call retry
  return parserPromise;
}

/** Parses a line with the bash grammar; anything it cannot represent becomes an Unknown, never a silent drop. */
export async function parseWithBashGrammar(text: string): Promise<ParseResult> {
  let parser: Parser;
  try {
    parser = await loadBashParser();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { commands: [], unknowns: [{ reason: `bash parser unavailable: ${message}`, text }], parser: 'tree-sitter-bash' };
  }
  const parsed = parseFixingPrefixes(parser, text);
  const tree = parsed?.tree;
  text = parsed?.text ?? text;
  if (!tree) return { commands: [], unknowns: [{ reason: 'bash parser gave no result', text }], parser: 'tree-sitter-bash' };
  try {
    const walker = new CommandWalker(text, tree.rootNode, parser);
    walker.walkProgram();
    return { commands: [...walker.commands], unknowns: walker.unknowns, parser: 'tree-sitter-bash' };
  } catch (error) {
    if (error instanceof TooManyCommands) return { commands: [], unknowns: [tooLong(`more than ${MAX_COMMANDS} commands in one line`, text)], parser: 'tree-sitter-bash' };
    // e.g. a stack overflow on absurdly deep nesting: report, never throw past the stage.
    const message = error instanceof Error ? error.message : String(error);
    return { commands: [], unknowns: [{ reason: `line too complex to parse: ${message}`, text }], parser: 'tree-sitter-bash' };
  } finally {
    tree.delete();
  }
}

const INHERIT: StdinSource = { kind: 'inherit' };

/** Words that open a compound command; tree-sitter-bash reads them as a command name after `!` or `time`. */
const COMPOUND_OPENERS = new Set(['if', 'for', 'while', 'until', 'select', 'case', '{', '[[', '((', 'function', '!', 'time', 'coproc']);
/** Bound on re-parses (`! ! time ! if …` needs one per prefix). */
const MAX_PREFIX_FIXES = 16;

/**
 * tree-sitter-bash misreads `! if …; fi`, `time for …; done`, `! ! X=1 cmd`: the keyword after the prefix becomes a
 * plain word, so the compound's commands come out wrong. `!` and `time [-p]` change only the exit status or print
 * timings, never what runs, so they are blanked out (same length, offsets kept) and the line is parsed again.
 */
function parseFixingPrefixes(parser: Parser, text: string): { tree: Tree; text: string } | null {
  let current = text;
  for (let round = 0; ; round++) {
    const tree = parser.parse(current);
    if (!tree) return null;
    const ranges = round < MAX_PREFIX_FIXES ? misreadPrefixes(tree.rootNode) : [];
    if (ranges.length === 0) return { tree, text: current };
    tree.delete();
    let next = current;
    for (const [start, end] of ranges) next = next.slice(0, start) + ' '.repeat(end - start) + next.slice(end);
    if (next === current) return { tree: parser.parse(current)!, text: current };
    current = next;
  }
}

/** Source ranges of `!` / `time [-p]` prefixes that tree-sitter read as words before a compound command. */
function misreadPrefixes(root: Node): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'negated_command') {
      const bang = node.child(0);
      const inner = node.namedChild(0);
      const innerName = inner?.type === 'command' ? inner.childForFieldName('name')?.text : undefined;
      if (bang?.type === '!' && innerName !== undefined && COMPOUND_OPENERS.has(innerName)) ranges.push([bang.startIndex, bang.endIndex]);
    } else if (node.type === 'command' && node.firstChild?.type === 'command_name') {
      const name = node.firstChild;
      const args = node.childrenForFieldName('argument');
      if (name.text === '!') ranges.push([name.startIndex, name.endIndex]);
      else if (name.text === 'time') {
        const skip = args[0]?.text === '-p' ? 1 : 0;
        const next = args[skip];
        if (next && COMPOUND_OPENERS.has(next.text)) ranges.push([name.startIndex, (skip ? args[0]! : name).endIndex]);
      }
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
  return ranges;
}

/** Node types whose value is only known when the shell runs. */
const EXPANSIONS = new Set([
  'simple_expansion', 'expansion', 'command_substitution', 'process_substitution', 'arithmetic_expansion',
  'brace_expression',
]);

/** Node types that make up a word (everything else in a word position is a statement). */
const WORD_TYPES = new Set([
  ...EXPANSIONS, 'word', 'string', 'raw_string', 'ansi_c_string', 'translated_string', 'concatenation', 'number',
  'command_name', 'variable_name', 'special_variable_name', 'file_descriptor', '$',
]);

function isWordNode(node: Node): boolean {
  return WORD_TYPES.has(node.type) || !node.isNamed;
}

interface WordValue {
  value: string;
  dynamic: boolean;
}

interface RedirectInfo {
  redirects: Redirect[];
  stdin: StdinSource;
  /** Words tree-sitter attached to a redirect (`cmd >f more`) that are really the command's arguments. */
  extraWords: Node[];
  /** Statements tree-sitter hangs under a heredoc (`cat <<EOF | psql`): the rest of the line. */
  tails: Node[];
  /** Subtrees that may hold `$(…)` to run (redirect targets, unquoted heredoc bodies). */
  expansionRoots: Node[];
}

/** Thrown by the walker past MAX_COMMANDS: the line is unknown, at once. */
class TooManyCommands extends Error {}

/** Commands collected, bounded: past MAX_COMMANDS the walk stops. */
class BoundedCommands extends Array<SimpleCommand> {
  override push(...items: SimpleCommand[]): number {
    if (this.length + items.length > MAX_COMMANDS) throw new TooManyCommands();
    for (const item of items) super.push(item);
    return this.length;
  }
}

class CommandWalker {
  readonly commands: SimpleCommand[] = new BoundedCommands();
  readonly unknowns: Unknown[] = [];

  constructor(private readonly source: string, private readonly root: Node, private readonly parser: Parser) {}

  walkProgram(): void {
    this.statement(this.root, INHERIT);
    if (this.root.hasError) this.reportSyntaxErrors(this.root);
  }

  /** Parses a piece of text found inside the line (a `$(…)` in a heredoc body) and adds what it runs. */
  private nested(raw: string): void {
    const parsed = parseFixingPrefixes(this.parser, raw);
    const tree = parsed?.tree;
    const text = parsed?.text ?? raw;
    if (!tree) {
      this.unknown('bash parser gave no result', text);
      return;
    }
    try {
      const inner = new CommandWalker(text, tree.rootNode, this.parser);
      inner.walkProgram();
      this.commands.push(...inner.commands);
      for (const u of inner.unknowns) this.unknown(u.reason, u.text);
    } finally {
      tree.delete();
    }
  }

  /** Walks any statement; `stdin` is what commands inside read unless they redirect it. */
  statement(node: Node, stdin: StdinSource): void {
    switch (node.type) {
      case 'command':
        this.command(node, [], stdin, stdin);
        return;
      case 'declaration_command':
      case 'unset_command':
        this.declaration(node, stdin);
        return;
      case 'redirected_statement':
        this.redirected(node, stdin, [], stdin);
        return;
      case 'pipeline':
        this.pipeline(node, stdin, []);
        return;
      case 'comment':
        return;
      case 'test_command':
        // `[[ -v 'a[$(cmd)]' ]]`: bash evaluates the subscript, running the substitution.
        if (/-v\s/.test(node.text) && /\[[^\]]*(\$\(|`)/.test(node.text)) this.unknown('[[ -v ]] runs a command substitution in a subscript', node.text);
        this.walkChildren(node, stdin);
        return;
      case 'for_statement': {
        // The loop variable takes values at run time: recorded as an assignment nothing can resolve.
        const variable = node.childForFieldName('variable');
        if (variable) this.commands.push({ argv: [], assignments: { [variable.text]: '$(for)' }, redirects: [], stdin, dynamic: [], text: node.text });
        this.walkChildren(node, stdin);
        return;
      }
      default: // compound statements, and ERROR nodes (best effort; reportSyntaxErrors reports them)
        this.walkChildren(node, stdin);
    }
  }

  private walkChildren(node: Node, stdin: StdinSource): void {
    for (const child of node.namedChildren) this.statement(child, stdin);
  }

  /** `a | b | c`: each stage reads the previous one's output. Returns the text of the last stage. */
  private pipeline(node: Node, stdin: StdinSource, trailing: Node[], upstream?: string): string {
    const stages = node.namedChildren.filter((child) => child.type !== 'comment');
    let from = upstream;
    stages.forEach((stage, index) => {
      const stageStdin: StdinSource = from === undefined ? stdin : { kind: 'pipe', from };
      from = this.stage(stage, stageStdin, stdin, index === stages.length - 1 ? trailing : []);
    });
    return from ?? node.text;
  }

  /** One pipeline stage; returns the text a downstream stage names as its pipe source. */
  private stage(node: Node, stdin: StdinSource, baseStdin: StdinSource, trailing: Node[]): string {
    switch (node.type) {
      case 'command':
        return this.command(node, trailing, stdin, baseStdin);
      case 'redirected_statement':
        return this.redirected(node, stdin, trailing, baseStdin);
      case 'pipeline':
        return this.pipeline(node, stdin, trailing);
      case 'list': {
        // After a heredoc, tree-sitter nests `a && b` inside the pipe stage; only the head reads the pipe.
        const [head, ...rest] = node.namedChildren;
        const text = head ? this.stage(head, stdin, baseStdin, []) : node.text;
        for (const statement of rest) this.statement(statement, baseStdin);
        return text;
      }
      default:
        if (trailing.length > 0) this.compound(node, trailing, stdin);
        else this.statement(node, stdin);
        return node.text;
    }
  }

  private redirected(node: Node, stdin: StdinSource, trailing: Node[], baseStdin: StdinSource): string {
    const body = node.childForFieldName('body');
    const redirects = [...node.childrenForFieldName('redirect'), ...trailing];
    if (!body) {
      const info = this.readRedirects(redirects, stdin);
      for (const root of [...redirects, ...info.expansionRoots]) this.expansions(root);
      this.tails(info.tails, node.text, baseStdin);
      return node.text;
    }
    switch (body.type) {
      case 'command':
        return this.command(body, redirects, stdin, baseStdin);
      case 'pipeline':
        return this.pipeline(body, stdin, redirects); // redirects after a pipeline bind to its last stage
      case 'redirected_statement':
        return this.redirected(body, stdin, redirects, baseStdin);
      default:
        this.compound(body, redirects, stdin);
        return node.text;
    }
  }

  /** `{ …; } < f`, `while …; done <<EOF`: the redirected stdin reaches every command inside. */
  private compound(body: Node, redirectNodes: Node[], stdin: StdinSource): void {
    const info = this.readRedirects(redirectNodes, stdin);
    if (info.extraWords.length > 0) {
      this.unknown('words after a redirection of a compound command', this.textOf(body.startIndex, lastEnd(redirectNodes)));
    }
    this.statement(body, info.stdin);
    for (const root of [...redirectNodes, ...info.expansionRoots]) this.expansions(root);
    this.tails(info.tails, body.text, stdin);
  }

  /** A simple command. Returns its text (used as the pipe source of the next stage). */
  private command(node: Node, outerRedirects: Node[], stdin: StdinSource, baseStdin: StdinSource): string {
    const assignmentNodes: Node[] = [];
    const wordNodes: Node[] = [];
    const redirectNodes: Node[] = [...outerRedirects];
    let seenName = false;
    node.children.forEach((child, index) => {
      const field = node.fieldNameForChild(index);
      if (child.isMissing || (child.hasError && child.text === '')) return; // reported by reportSyntaxErrors
      if (field === 'name') {
        seenName = true;
        wordNodes.push(child);
      } else if (child.type === 'variable_assignment' && !seenName) assignmentNodes.push(child);
      else if (field === 'redirect' || child.type.endsWith('_redirect')) redirectNodes.push(child);
      else if (field === 'argument') wordNodes.push(child);
      else if (child.isNamed && child.type !== 'comment') wordNodes.push(child);
    });
    redirectNodes.sort(byStart);
    const info = this.readRedirects(redirectNodes, stdin);
    const allWords = [...wordNodes, ...info.extraWords].sort(byStart);
    // `time (cd x && terraform destroy)`: a compound command where a word would be; it runs.
    for (const statement of allWords.filter((w) => !isWordNode(w))) this.statement(statement, stdin);
    const words = withoutTranslationMarks(allWords.filter(isWordNode));

    const argv: string[] = [];
    const dynamic: number[] = [];
    for (const word of words) {
      const { value, dynamic: isDynamic } = this.wordValue(word);
      if (isDynamic) dynamic.push(argv.length);
      argv.push(value);
    }
    const assignments: Record<string, string> = {};
    for (const assignment of assignmentNodes) {
      const [name, value] = this.assignment(assignment);
      assignments[name] = value;
    }

    for (const root of [...assignmentNodes, ...words, ...redirectNodes, ...info.expansionRoots]) this.expansions(root);
    const text = this.textOf(node.startIndex, Math.max(node.endIndex, ...redirectNodes.map(redirectEnd)));
    if (argv.length > 0 || assignmentNodes.length > 0) { // `cmd=ls` alone feeds a later `$cmd`
      this.commands.push({ argv, assignments, redirects: info.redirects, stdin: info.stdin, dynamic, text });
    }
    this.tails(info.tails, text, baseStdin);
    return text;
  }

  /** `export A=1`, `local x`, `unset X`: kept as commands so later stages can see them. */
  private declaration(node: Node, stdin: StdinSource): void {
    const argv: string[] = [];
    const dynamic: number[] = [];
    for (const child of node.children) {
      if (!child.isNamed) {
        if (argv.length === 0) argv.push(child.text);
        continue;
      }
      if (child.type === 'comment') continue;
      let word: WordValue;
      if (child.type === 'variable_assignment') {
        const [name, value] = this.assignment(child);
        word = { value: `${name}=${value}`, dynamic: this.wordValueOf(child.childForFieldName('value')).dynamic };
      } else word = this.wordValue(child);
      if (word.dynamic) dynamic.push(argv.length);
      argv.push(word.value);
    }
    this.expansions(node);
    this.commands.push({ argv, assignments: {}, redirects: [], stdin, dynamic, text: node.text });
  }

  private assignment(node: Node): [string, string] {
    const name = node.childForFieldName('name')?.text ?? '';
    return [name, this.wordValueOf(node.childForFieldName('value')).value];
  }

  /** Statements that follow a heredoc operator on its line (`cat <<EOF | psql`, `cat <<EOF && b`). */
  private tails(tails: Node[], upstreamText: string, baseStdin: StdinSource): void {
    for (const tail of tails) {
      const operator = tail.previousSibling?.type;
      if (tail.type === 'pipeline' && (tail.firstChild?.type === '|' || tail.firstChild?.type === '|&')) {
        this.pipeline(tail, baseStdin, [], upstreamText);
      } else if (operator === '|' || operator === '|&') {
        this.stage(tail, { kind: 'pipe', from: upstreamText }, baseStdin, []);
      } else if (tail.type === 'ERROR') {
        this.walkChildren(tail, baseStdin);
      } else {
        this.statement(tail, baseStdin);
      }
    }
  }

  /** Runs every `$(…)`, backtick and `<(…)` found inside a word or redirect. */
  private expansions(node: Node): void {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') {
      this.walkChildren(node, INHERIT);
      return;
    }
    if (node.type === 'heredoc_redirect') return; // its body and tails are handled by readRedirects/tails
    for (const child of node.namedChildren) this.expansions(child);
  }

  private readRedirects(nodes: Node[], stdin: StdinSource): RedirectInfo {
    const info: RedirectInfo = { redirects: [], stdin, extraWords: [], tails: [], expansionRoots: [] };
    for (const node of nodes) {
      if (node.type === 'file_redirect') this.fileRedirect(node, info);
      else if (node.type === 'herestring_redirect') {
        const valueNode = node.namedChildren.find((child) => child.type !== 'file_descriptor');
        const body = this.wordValueOf(valueNode ?? null).value;
        info.redirects.push({ op: '<<<', target: body });
        info.stdin = { kind: 'herestring', body };
      } else if (node.type === 'heredoc_redirect') this.heredoc(node, info);
      else this.unknown(`unsupported redirection (${node.type})`, node.text);
    }
    return info;
  }

  private fileRedirect(node: Node, info: RedirectInfo): void {
    const descriptor = node.childForFieldName('descriptor')?.text ?? '';
    const operator = node.children.find((child) => !child.isNamed)?.text ?? '';
    const [target, ...extra] = node.childrenForFieldName('destination');
    info.extraWords.push(...extra);
    const op = descriptor + operator;
    if (target?.type === 'process_substitution' && (op === '<' || op === '0<')) {
      const inner = target.namedChildren.map((child) => child.text).join('; ');
      info.redirects.push({ op, target: target.text });
      info.stdin = { kind: 'pipe', from: inner };
      return;
    }
    const redirect: Redirect = { op, target: target ? this.wordValue(target).value : '' };
    info.redirects.push(redirect);
    info.stdin = stdinFromRedirects([redirect], info.stdin);
  }

  private heredoc(node: Node, info: RedirectInfo): void {
    const children = node.children;
    const operator = children.find((child) => !child.isNamed)?.text ?? '<<';
    const start = children.find((child) => child.type === 'heredoc_start');
    const end = children.find((child) => child.type === 'heredoc_end');
    const bodyNode = children.find((child) => child.type === 'heredoc_body');
    if (!start || !end) {
      this.unknown('unterminated heredoc', node.text);
      return;
    }
    const delimiter = start.text.replace(/\\(.)/g, '$1').replace(/["']/g, '');
    if (end.text !== delimiter) {
      this.unknown('heredoc could not be parsed', this.textOf(node.startIndex, node.endIndex));
      return;
    }
    const expands = !/["'\\]/.test(start.text);
    const onOperatorLine = (child: Node): boolean =>
      child.startIndex >= start.endIndex && child.startIndex < (bodyNode ?? end).startIndex;
    const lineContent = children.filter(onOperatorLine);
    // The body starts on the line after the operator's line; tree-sitter's body node skips leading blanks.
    const lineEnd = this.source.indexOf('\n', lastEnd([start, ...lineContent]));
    let body = lineEnd < 0 ? '' : this.source.slice(Math.min(lineEnd + 1, end.startIndex), end.startIndex);
    info.redirects.push({ op: operator, target: delimiter });
    if (expands) {
      const found = substitutionsIn(body);
      if (found === null) this.unknown('unclosed $( or ` in a heredoc', this.textOf(node.startIndex, node.endIndex));
      else for (const inner of found) this.nested(inner);
    }
    if (operator === '<<-') body = body.replace(/^\t+/gm, '');
    info.stdin = { kind: 'heredoc', body, expands };

    children.forEach((child, index) => {
      if (!child.isNamed || !onOperatorLine(child)) return;
      if (node.fieldNameForChild(index) === 'redirect') {
        const more = this.readRedirects([child], info.stdin);
        info.redirects.push(...more.redirects);
        info.stdin = more.stdin;
        info.extraWords.push(...more.extraWords);
        info.expansionRoots.push(child);
      } else info.tails.push(child);
    });
  }

  private wordValueOf(node: Node | null): WordValue {
    return node ? this.wordValue(node) : { value: '', dynamic: false };
  }

  /** A word's value after quote removal; `$X`, `$(…)` stay as written and make it dynamic. */
  private wordValue(node: Node): WordValue {
    switch (node.type) {
      case 'word':
        return { value: unescapeUnquoted(node.text), dynamic: expandsAtRunTime(maskEscapes(node.text)) };
      case 'number':
      case 'variable_name':
      case 'file_descriptor':
      case 'special_variable_name':
        return { value: node.text, dynamic: false };
      case 'raw_string':
        return { value: node.text.slice(1, -1), dynamic: false };
      case 'ansi_c_string':
        return { value: decodeAnsiC(node.text.slice(2, -1)), dynamic: false };
      case 'string':
      case 'translated_string':
        return this.doubleQuoted(node);
      case 'concatenation':
      case 'command_name':
        return this.concatenation(node);
      default:
        return { value: node.text, dynamic: true };
    }
  }

  private doubleQuoted(node: Node): WordValue {
    const open = node.text.indexOf('"');
    let cursor = node.startIndex + open + 1;
    const stop = node.endIndex - 1;
    let value = '';
    let dynamic = false;
    for (const child of node.namedChildren) {
      value += unescapeDoubleQuoted(this.source.slice(cursor, child.startIndex));
      if (child.type === 'string_content') value += unescapeDoubleQuoted(child.text);
      else {
        value += child.text;
        dynamic = true;
      }
      cursor = child.endIndex;
    }
    value += unescapeDoubleQuoted(this.source.slice(cursor, Math.max(cursor, stop)));
    return { value, dynamic };
  }

  private concatenation(node: Node): WordValue {
    let value = '';
    let shape = ''; // unquoted characters only: where globs and brace expansion take effect
    let dynamic = false;
    let cursor = node.startIndex;
    for (const child of node.children) {
      const gap = this.source.slice(cursor, child.startIndex);
      value += unescapeUnquoted(gap);
      shape += maskEscapes(gap);
      if (child.type === 'word') shape += maskEscapes(child.text);
      else shape += '_';
      const part = this.wordValue(child);
      value += part.value;
      if (child.type !== 'word' && part.dynamic) dynamic = true;
      if (EXPANSIONS.has(child.type)) dynamic = true;
      cursor = child.endIndex;
    }
    return { value, dynamic: dynamic || expandsAtRunTime(shape) };
  }

  /** Records an unknown for every syntax error, with the whole statement(s) on its lines as text. */
  reportSyntaxErrors(node: Node): void {
    if (node.isMissing) {
      const reason = ['"', "'", '`'].includes(node.type) ? 'unclosed quote' : `incomplete shell syntax (missing "${node.type}")`;
      this.unknown(reason, this.statementTextAround(node));
      return;
    }
    if (node.type === 'ERROR') {
      const text = this.statementTextAround(node);
      this.unknown(endsInsideQuote(text) ? 'unclosed quote' : 'shell syntax that could not be parsed', text);
      return;
    }
    for (const child of node.children) if (child.hasError || child.isMissing) this.reportSyntaxErrors(child);
  }

  /** The top-level statements sharing lines with `node`: enough text to see which tool was named. */
  private statementTextAround(node: Node): string {
    const first = node.startPosition.row;
    const last = node.endPosition.row;
    let start = node.startIndex;
    let end = node.endIndex;
    for (const statement of this.root.children) {
      if (statement.endPosition.row < first || statement.startPosition.row > last) continue;
      start = Math.min(start, statement.startIndex);
      end = Math.max(end, statement.endIndex);
    }
    return this.textOf(start, end);
  }

  private unknown(reason: string, text: string): void {
    if (!this.unknowns.some((u) => u.reason === reason && u.text === text)) this.unknowns.push({ reason, text });
  }

  private textOf(start: number, end: number): string {
    return this.source.slice(start, end).trim();
  }
}

/** True when a quote opened in `text` is never closed (a rough scan, used only to word an error). */
function endsInsideQuote(text: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === '\\') i++;
    else if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
  }
  return quote !== null;
}

function byStart(a: Node, b: Node): number {
  return a.startIndex - b.startIndex;
}

function lastEnd(nodes: Node[]): number {
  return Math.max(0, ...nodes.map((n) => n.endIndex));
}

/** Where a redirect ends for the command's text: a heredoc counts up to its delimiter word only. */
function redirectEnd(node: Node): number {
  if (node.type !== 'heredoc_redirect') return node.endIndex;
  return node.children.find((child) => child.type === 'heredoc_start')?.endIndex ?? node.startIndex;
}

/** `$"text"` parses as a `$` token followed by a string; the `$` adds nothing to the word. */
function withoutTranslationMarks(words: Node[]): Node[] {
  return words.filter((word, index) => !(word.type === '$' && words[index + 1]?.startIndex === word.endIndex));
}

function unescapeUnquoted(text: string): string {
  return text.replace(/\\([\s\S])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

/** Replaces escaped characters so they cannot look like glob or brace syntax. */
function maskEscapes(text: string): string {
  return text.replace(/\\[\s\S]/g, '__');
}

/** Unquoted glob characters or brace expansion: the shell turns the word into something else. */
function expandsAtRunTime(unquoted: string): boolean {
  return /[*?]|\[[^\]]*\]|\{[^{}]*(,|\.\.)[^{}]*\}/.test(unquoted);
}

/**
 * The command texts of every `$(…)` and backtick in text read like a double-quoted string (an unquoted
 * heredoc body). tree-sitter-bash misses some of these (a body line starting with blanks), so we scan.
 * Returns null when one is not closed.
 */
export function substitutionsIn(text: string): string[] | null {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return null;
      found.push(text.slice(i + 1, j).replace(/\\([\\`$])/g, '$1'));
      i = j;
    } else if (c === '$' && text[i + 1] === '(' && text[i + 2] !== '(') {
      const close = matchingParen(text, i + 2);
      if (close < 0) return null;
      found.push(text.slice(i + 2, close));
      i = close;
    }
  }
  return found;
}

/** Index of the `)` closing a `$(` whose body starts at `from`, skipping quotes; -1 if none. */
function matchingParen(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === "'") {
      i = text.indexOf("'", i + 1);
      if (i < 0) return -1;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
