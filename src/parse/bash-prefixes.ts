// tree-sitter-bash misreads `! if …`, `time for …`: the prefixes are blanked and the line parsed again.
import type { Node, Parser, Tree } from 'web-tree-sitter';

/** Words that open a compound command; tree-sitter-bash reads them as a command name after `!` or `time`. */
const COMPOUND_OPENERS = new Set(['if', 'for', 'while', 'until', 'select', 'case', '{', '[[', '((', 'function', '!', 'time', 'coproc']);
/** Bound on re-parses (`! ! time ! if …` needs one per prefix). */
const MAX_PREFIX_FIXES = 16;

/**
 * tree-sitter-bash misreads `! if …; fi`, `time for …; done`, `! ! X=1 cmd`: the keyword after the prefix becomes a
 * plain word, so the compound's commands come out wrong. `!` and `time [-p]` change only the exit status or print
 * timings, never what runs, so they are blanked out (same length, offsets kept) and the line is parsed again.
 */
export function parseFixingPrefixes(parser: Parser, text: string): { tree: Tree; text: string } | null {
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
