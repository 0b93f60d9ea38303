// Word values from the bash grammar's tree: quote removal, and whether the shell changes the word at run time.
import type { Node } from 'web-tree-sitter';
import { decodeAnsiC } from './words.js';

/** Node types whose value is only known when the shell runs. */
export const EXPANSIONS = new Set([
  'simple_expansion', 'expansion', 'command_substitution', 'process_substitution', 'arithmetic_expansion',
  'brace_expression',
]);

/** Node types that make up a word (everything else in a word position is a statement). */
const WORD_TYPES = new Set([
  ...EXPANSIONS, 'word', 'string', 'raw_string', 'ansi_c_string', 'translated_string', 'concatenation', 'number',
  'command_name', 'variable_name', 'special_variable_name', 'file_descriptor', '$',
]);

export function isWordNode(node: Node): boolean {
  return WORD_TYPES.has(node.type) || !node.isNamed;
}

export interface WordValue {
  value: string;
  dynamic: boolean;
}


/** Reads the value of word nodes of one source text. */
export class WordReader {
  constructor(readonly source: string) {}

  wordValueOf(node: Node | null): WordValue {
    return node ? this.wordValue(node) : { value: '', dynamic: false };
  }

  /** A word's value after quote removal; `$X`, `$(…)` stay as written and make it dynamic. */
  wordValue(node: Node): WordValue {
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

}

export function unescapeUnquoted(text: string): string {
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
