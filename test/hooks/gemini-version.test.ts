// Gemini CLI shows a hook's `ask` only from 0.36.0: doctor says so when the installed CLI is older.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { geminiAskCheck, versionBelow } from '../../src/hooks/gemini-version.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bg-gemini-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'home', '.gemini'), { recursive: true });
  writeFileSync(join(root, 'home', '.gemini', 'settings.json'), JSON.stringify({ hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [{ type: 'command', command: 'blastgate hook gemini' }] }] } }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A `gemini` on PATH that prints `version` for --version, as the real CLI does (a bare number). */
const gemini = (version: string) => {
  writeFileSync(join(root, 'bin', 'gemini'), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  return { PATH: `${join(root, 'bin')}:/usr/bin:/bin`, HOME: join(root, 'home') };
};

it('warns for a Gemini CLI older than 0.36.0, naming the version and the upgrade', () => {
  expect(geminiAskCheck(gemini('0.35.2'), join(root, 'home'))).toMatchObject({ status: 'warn', message: expect.stringContaining('Gemini CLI 0.35.2 ignores the hook\'s "ask"'), fix: expect.stringContaining('0.36.0') });
});

it('is content with 0.36.0 and later, and silent when blastgate is not a Gemini hook', () => {
  expect(geminiAskCheck(gemini('0.36.0'), join(root, 'home'))).toMatchObject({ status: 'ok' });
  expect(geminiAskCheck(gemini('1.2.3'), join(root, 'home'))).toMatchObject({ status: 'ok' });
  writeFileSync(join(root, 'home', '.gemini', 'settings.json'), '{}');
  expect(geminiAskCheck(gemini('0.10.0'), join(root, 'home'))).toBeNull();
});

it.each([
  ['0.35.9', '0.36.0', true],
  ['0.36.0', '0.36.0', false],
  ['0.100.0', '0.36.0', false],
  ['0.9.1', '0.36.0', true],
])('versionBelow(%s, %s) = %s', (a, b, below) => {
  expect(versionBelow(a, b)).toBe(below);
});
