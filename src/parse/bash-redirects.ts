// Redirections and heredocs from the bash grammar's tree: what a command's stdin is, the files it names,
// the `$(…)` an unquoted heredoc body runs, and the statements tree-sitter hangs under a heredoc.
import type { Node } from 'web-tree-sitter';
import type { Redirect, StdinSource } from '../types.js';
import type { WordReader } from './bash-words.js';
import { stdinFromRedirects } from './words.js';

export interface RedirectInfo {
  redirects: Redirect[];
  stdin: StdinSource;
  /** Words tree-sitter attached to a redirect (`cmd >f more`) that are really the command's arguments. */
  extraWords: Node[];
  /** Statements tree-sitter hangs under a heredoc (`cat <<EOF | psql`): the rest of the line. */
  tails: Node[];
  /** Subtrees that may hold `$(…)` to run (redirect targets, unquoted heredoc bodies). */
  expansionRoots: Node[];
}


/** What the redirect reader needs from the walker that owns the source text. */
export interface RedirectHost {
  readonly source: string;
  readonly words: WordReader;
  unknown(reason: string, text: string): void;
  /** Parses text found inside the line (a `$(…)` in a heredoc body) and adds what it runs. */
  nested(text: string): void;
  textOf(start: number, end: number): string;
}

export class RedirectReader {
  constructor(private readonly host: RedirectHost) {}

  readRedirects(nodes: Node[], stdin: StdinSource): RedirectInfo {
    const info: RedirectInfo = { redirects: [], stdin, extraWords: [], tails: [], expansionRoots: [] };
    for (const node of nodes) {
      if (node.type === 'file_redirect') this.fileRedirect(node, info);
      else if (node.type === 'herestring_redirect') {
        const valueNode = node.namedChildren.find((child) => child.type !== 'file_descriptor');
        const body = this.host.words.wordValueOf(valueNode ?? null).value;
        info.redirects.push({ op: '<<<', target: body });
        info.stdin = { kind: 'herestring', body };
      } else if (node.type === 'heredoc_redirect') this.heredoc(node, info);
      else this.host.unknown(`unsupported redirection (${node.type})`, node.text);
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
    const redirect: Redirect = { op, target: target ? this.host.words.wordValue(target).value : '' };
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
      this.host.unknown('unterminated heredoc', node.text);
      return;
    }
    const delimiter = start.text.replace(/\\(.)/g, '$1').replace(/["']/g, '');
    if (end.text !== delimiter) {
      this.host.unknown('heredoc could not be parsed', this.host.textOf(node.startIndex, node.endIndex));
      return;
    }
    const expands = !/["'\\]/.test(start.text);
    const onOperatorLine = (child: Node): boolean =>
      child.startIndex >= start.endIndex && child.startIndex < (bodyNode ?? end).startIndex;
    const lineContent = children.filter(onOperatorLine);
    // The body starts on the line after the operator's line; tree-sitter's body node skips leading blanks.
    const lineEnd = this.host.source.indexOf('\n', lastEnd([start, ...lineContent]));
    let body = lineEnd < 0 ? '' : this.host.source.slice(Math.min(lineEnd + 1, end.startIndex), end.startIndex);
    info.redirects.push({ op: operator, target: delimiter });
    if (expands) {
      const found = substitutionsIn(body);
      if (found === null) this.host.unknown('unclosed $( or ` in a heredoc', this.host.textOf(node.startIndex, node.endIndex));
      else for (const inner of found) this.host.nested(inner);
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
}

export function lastEnd(nodes: Node[]): number {
  return Math.max(0, ...nodes.map((n) => n.endIndex));
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
