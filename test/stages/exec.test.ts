// Real-binary lookup: past every shim dir, never the cwd, never a shim or blastgate itself.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolNotFoundError } from '../../src/errors.js';
import { STAMP_FILE } from '../../src/shims/marker.js';
import { findRealBinary, realBinaryCandidates } from '../../src/stages/exec.js';

const exe = (file: string, text = '#!/bin/sh\nexit 0\n') => writeFileSync(file, text, { mode: 0o755 });

/** shims/ (a marked shim dir holding a shim for `tool`), real/ and other/ (each with a real `tool`). */
const layout = () => {
  const root = mkdtempSync(join(tmpdir(), 'bg-exec-'));
  const dirs = { shims: join(root, 'shims'), real: join(root, 'real'), other: join(root, 'other'), empty: join(root, 'empty') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  writeFileSync(join(dirs.shims, STAMP_FILE), 'hash\n{}\n');
  exe(join(dirs.shims, 'tool'), '#!/bin/sh\n# blastgate-shim tool v3 hash\nexec blastgate run -- tool "$@"\n');
  exe(join(dirs.real, 'tool'));
  exe(join(dirs.other, 'tool'));
  return { root, ...dirs };
};

describe('findRealBinary', () => {
  it.each([
    ['prepended', (d: ReturnType<typeof layout>) => `${d.shims}:${d.real}:${d.other}`],
    ['appended after the real dir', (d: ReturnType<typeof layout>) => `${d.real}:${d.shims}`],
    ['listed twice', (d: ReturnType<typeof layout>) => `${d.shims}:${d.empty}:${d.shims}:${d.real}`],
  ])('skips the shim dir %s', (_name, path) => {
    const d = layout();
    expect(findRealBinary('tool', { path: path(d) })).toBe(join(d.real, 'tool'));
  });

  it('skips the shim dir reached through a symlink', () => {
    const d = layout();
    const link = join(d.root, 'shims-link');
    symlinkSync(d.shims, link);
    expect(findRealBinary('tool', { path: `${link}:${d.real}` })).toBe(join(d.real, 'tool'));
  });

  it('skips a dir given in skipDirs by real path even without a stamp file', () => {
    const d = layout();
    const bare = join(d.root, 'bare');
    mkdirSync(bare);
    exe(join(bare, 'tool'));
    symlinkSync(bare, join(d.root, 'bare-link'));
    expect(findRealBinary('tool', { path: `${join(d.root, 'bare-link')}:${d.other}`, skipDirs: [bare] })).toBe(join(d.other, 'tool'));
  });

  it('skips a shim copied into an ordinary dir (recognised by its signature)', () => {
    const d = layout();
    const stray = join(d.root, 'stray');
    mkdirSync(stray);
    copyFileSync(join(d.shims, 'tool'), join(stray, 'tool'));
    expect(findRealBinary('tool', { path: `${stray}:${d.other}` })).toBe(join(d.other, 'tool'));
  });

  it('never returns blastgate itself', () => {
    const d = layout();
    expect(findRealBinary('tool', { path: `${d.real}:${d.other}`, skipFiles: [join(d.real, 'tool')] })).toBe(join(d.other, 'tool'));
  });

  it('does not search the current directory (empty or relative PATH entries)', () => {
    const d = layout();
    const cwd = process.cwd();
    process.chdir(d.real);
    try {
      expect(() => findRealBinary('tool', { path: `:.:real:${d.shims}` })).toThrow(ToolNotFoundError);
    } finally {
      process.chdir(cwd);
    }
  });

  it('skips non-executable files and directories named like the tool', () => {
    const d = layout();
    const a = join(d.root, 'a');
    const b = join(d.root, 'b');
    mkdirSync(a);
    mkdirSync(join(b, 'tool'), { recursive: true });
    writeFileSync(join(a, 'tool'), 'not executable', { mode: 0o644 });
    expect(findRealBinary('tool', { path: `${a}:${b}:${d.other}` })).toBe(join(d.other, 'tool'));
  });

  it('fails with exit 127 and the documented message when only shims exist', () => {
    const d = layout();
    let err: unknown;
    try {
      findRealBinary('tool', { path: `${d.shims}:${d.empty}` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToolNotFoundError);
    expect((err as ToolNotFoundError).exitCode).toBe(127);
    expect((err as Error).message).toBe('tool: no real binary on PATH after the shim dir');
  });

  it('runs an explicit path as given, but never a shim', () => {
    const d = layout();
    expect(findRealBinary(join(d.other, 'tool'), { path: '' })).toBe(join(d.other, 'tool'));
    expect(() => findRealBinary(join(d.shims, 'tool'), { path: '' })).toThrow(ToolNotFoundError);
  });

  it('lists every candidate in PATH order, each dir once', () => {
    const d = layout();
    expect(realBinaryCandidates('tool', { path: `${d.other}:${d.shims}:${d.real}:${d.other}` })).toEqual([join(d.other, 'tool'), join(d.real, 'tool')]);
  });
});
