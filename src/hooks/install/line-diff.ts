// A small line diff (LCS) for showing what `hook install` changes in a settings file.

const CONTEXT = 2;

/** `-`/`+` lines with a little context; empty when the texts are equal. */
export const lineDiff = (before: string, after: string, label: string): string[] => {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push([' ', a[i++]!]), j++;
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push(['-', a[i++]!]);
    else ops.push(['+', b[j++]!]);
  }
  if (!ops.some(([op]) => op !== ' ')) return [];
  const keep = ops.map(([op], k) => op !== ' ' || ops.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some(([o]) => o !== ' '));
  const out = [`--- ${label}`, `+++ ${label} (new)`];
  let skipped = false;
  for (const [k, [op, line]] of ops.entries()) {
    if (!keep[k]) {
      if (!skipped) out.push('  …');
      skipped = true;
      continue;
    }
    skipped = false;
    out.push(`${op} ${line}`);
  }
  return out;
};
