// The real bash grammar (tree-sitter-bash on web-tree-sitter), for lines shell-quote cannot represent.
// Loaded lazily and once; walking the tree yields the same SimpleCommand shape as the fast path.
// Word values live in parse/bash-words.ts, redirections and heredocs in parse/bash-redirects.ts.
import { createRequire } from 'node:module';
import { useBaselineWasm } from '../io/wasm-baseline.js';
import { bashGrammarWasm, treeSitterRuntimeWasm } from '../io/grammar-files.js';
import type { Node, Parser } from 'web-tree-sitter';
import type { SimpleCommand, StdinSource, Unknown } from '../types.js';
import { parseFixingPrefixes } from '../parse/bash-prefixes.js';
import { lastEnd, RedirectReader, type RedirectHost } from '../parse/bash-redirects.js';
import { isWordNode, WordReader, type WordValue } from '../parse/bash-words.js';
import type { ParseResult } from '../parse/result.js';
import { MAX_COMMANDS, tooLong } from '../parse/words.js';

export { decodeAnsiC } from '../parse/words.js';
export { substitutionsIn } from '../parse/bash-redirects.js';

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

class CommandWalker implements RedirectHost {
  readonly commands: SimpleCommand[] = new BoundedCommands();
  readonly unknowns: Unknown[] = [];
  readonly words: WordReader;
  private readonly redirects: RedirectReader;

  constructor(readonly source: string, private readonly root: Node, private readonly parser: Parser) {
    this.words = new WordReader(source);
    this.redirects = new RedirectReader(this);
  }

  walkProgram(): void {
    this.statement(this.root, INHERIT);
    if (this.root.hasError) this.reportSyntaxErrors(this.root);
  }

  /** Parses a piece of text found inside the line (a `$(…)` in a heredoc body) and adds what it runs. */
  nested(raw: string): void {
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
      const info = this.redirects.readRedirects(redirects, stdin);
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
    const info = this.redirects.readRedirects(redirectNodes, stdin);
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
    const info = this.redirects.readRedirects(redirectNodes, stdin);
    const allWords = [...wordNodes, ...info.extraWords].sort(byStart);
    // `time (cd x && terraform destroy)`: a compound command where a word would be; it runs.
    for (const statement of allWords.filter((w) => !isWordNode(w))) this.statement(statement, stdin);
    const words = withoutTranslationMarks(allWords.filter(isWordNode));

    const argv: string[] = [];
    const dynamic: number[] = [];
    for (const word of words) {
      const { value, dynamic: isDynamic } = this.words.wordValue(word);
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
        word = { value: `${name}=${value}`, dynamic: this.words.wordValueOf(child.childForFieldName('value')).dynamic };
      } else word = this.words.wordValue(child);
      if (word.dynamic) dynamic.push(argv.length);
      argv.push(word.value);
    }
    this.expansions(node);
    this.commands.push({ argv, assignments: {}, redirects: [], stdin, dynamic, text: node.text });
  }

  private assignment(node: Node): [string, string] {
    const name = node.childForFieldName('name')?.text ?? '';
    return [name, this.words.wordValueOf(node.childForFieldName('value')).value];
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

  unknown(reason: string, text: string): void {
    if (!this.unknowns.some((u) => u.reason === reason && u.text === text)) this.unknowns.push({ reason, text });
  }

  textOf(start: number, end: number): string {
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

/** Where a redirect ends for the command's text: a heredoc counts up to its delimiter word only. */
function redirectEnd(node: Node): number {
  if (node.type !== 'heredoc_redirect') return node.endIndex;
  return node.children.find((child) => child.type === 'heredoc_start')?.endIndex ?? node.startIndex;
}

/** `$"text"` parses as a `$` token followed by a string; the `$` adds nothing to the word. */
function withoutTranslationMarks(words: Node[]): Node[] {
  return words.filter((word, index) => !(word.type === '$' && words[index + 1]?.startIndex === word.endIndex));
}

