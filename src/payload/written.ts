// Files a command line writes before a later command reads them (`printf … > ~/.psqlrc && psql -c …`,
// `echo … | tee req.cfg; curl -K req.cfg`): what the gate reads now is not what the tool will read.
import { basename, isAbsolute, resolve } from 'node:path';
import type { SimpleCommand } from '../types.js';

/** Absolute paths written on the line; `*​/name` when only the file name is known (`> "$D/.psqlrc"`). */
export type WrittenPaths = string[];

const WRITE_OPS = /^\d*(?:>|>>|>\||&>|&>>)$/;
/** Programs whose operands (or last operand) are files they write. */
const WRITES_ALL = new Set(['tee']);
const WRITES_LAST = new Set(['cp', 'mv', 'ln', 'install', 'rsync']);
const RUNTIME = /\$|`/;

const expand = (word: string, env: Record<string, string | undefined>, cwd: string): string | null => {
  let w = word;
  const home = env.HOME;
  if (home && (w === '~' || w.startsWith('~/'))) w = home + w.slice(1);
  if (home) w = w.replace(/^\$\{?HOME\}?(?=\/|$)/, home);
  if (RUNTIME.test(w)) {
    const name = basename(w);
    return RUNTIME.test(name) || name === '' ? null : `*/${name}`;
  }
  return isAbsolute(w) ? w : resolve(cwd, w);
};

export const writtenPaths = (commands: SimpleCommand[], env: Record<string, string | undefined>, cwd: string): WrittenPaths => {
  const out = new Set<string>();
  const add = (word: string | undefined) => {
    if (word === undefined || word === '' || word.startsWith('-')) return;
    const p = expand(word, env, cwd);
    if (p) out.add(p);
  };
  for (const cmd of commands) {
    for (const r of cmd.redirects) if (WRITE_OPS.test(r.op)) add(r.target);
    const name = basename(cmd.argv[0] ?? '');
    const operands = cmd.argv.slice(1).filter((a) => !a.startsWith('-'));
    if (WRITES_ALL.has(name)) operands.forEach(add);
    if (WRITES_LAST.has(name) && operands.length > 1) add(operands.at(-1));
  }
  return [...out];
};

/** Is `path` (absolute; `*` allowed in its last part) one the line writes? */
export const isWritten = (path: string, written: WrittenPaths): boolean => {
  if (written.length === 0) return false;
  const glob = basename(path).includes('*');
  const re = new RegExp(`^${basename(path).split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return written.some((w) => {
    if (w.startsWith('*/')) return re.test(w.slice(2));
    if (!glob) return w === path;
    return resolve(w, '..') === resolve(path, '..') && re.test(basename(w));
  });
};
