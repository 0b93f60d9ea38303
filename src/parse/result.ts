// The shape both parsers return.
import type { ParsedLine } from '../types.js';

/** ParsedLine plus which parser produced it (for the trace). */
export interface ParseResult extends ParsedLine {
  parser: 'shell-quote' | 'tree-sitter-bash';
}
