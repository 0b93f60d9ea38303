// `blastgate passphrase set|change`: typed on a terminal by a human, stored as public key + salt only.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { userKeyPath } from '../../src/approvals/key-store.js';
import { passphraseMatches, type KeyFile } from '../../src/approvals/keys.js';
import { blastgateArgv, makeSandbox, runDetached, Terminal, waitFor, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
const terms: Terminal[] = [];
const term = (args: string[], env: Record<string, string> = {}) => {
  const t = new Terminal(box.root, blastgateArgv(args), { ...box.env, ...env }, box.root);
  terms.push(t);
  return t;
};
const answer = async (t: Terminal, prompt: RegExp, text: string, nth = 1) => {
  await waitFor(() => t.screen().split('\n').filter((l) => prompt.test(l)).length >= nth, 20_000, `prompt ${prompt}`);
  t.type(text);
  t.key('Enter');
};
const keyFile = () => JSON.parse(readFileSync(userKeyPath(box.paths), 'utf8')) as KeyFile;

beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  box.cleanup();
});

describe('passphrase set', () => {
  it('typed twice on the terminal; only the public key and salt are written; the passphrase never shows', async () => {
    const t = term(['passphrase', 'set']);
    await answer(t, /New approval passphrase/, 'a long enough secret');
    await answer(t, /Repeat it/, 'a long enough secret');
    expect(await t.exitCode()).toBe(0);
    expect(t.screen()).not.toContain('a long enough secret');
    const file = keyFile();
    expect(readFileSync(userKeyPath(box.paths), 'utf8')).not.toContain('a long enough secret');
    expect(passphraseMatches('a long enough secret', file)).not.toBeNull();
  });

  it('two different entries: nothing written', async () => {
    const t = term(['passphrase', 'set']);
    await answer(t, /New approval passphrase/, 'a long enough secret');
    await answer(t, /Repeat it/, 'a long enough secreT');
    expect(await t.exitCode()).toBe(2);
    expect(existsSync(userKeyPath(box.paths))).toBe(false);
  });

  it('too short asks again; a long enough one then works', async () => {
    const t = term(['passphrase', 'set']);
    await answer(t, /New approval passphrase/, 'short');
    await waitFor(() => /too short: at least 8 characters/.test(t.screen()), 20_000, 'the too-short note');
    await answer(t, /New approval passphrase/, 'a long enough secret', 2);
    await answer(t, /Repeat it/, 'a long enough secret');
    expect(await t.exitCode()).toBe(0);
    expect(passphraseMatches('a long enough secret', keyFile())).not.toBeNull();
  });

  it('too short three times: nothing written', async () => {
    const t = term(['passphrase', 'set']);
    for (let i = 1; i <= 3; i++) await answer(t, /New approval passphrase/, 'short', i);
    expect(await t.exitCode()).toBe(2);
    expect(existsSync(userKeyPath(box.paths))).toBe(false);
  });

  it('an agent may not choose the passphrase (it could then approve itself)', async () => {
    const t = term(['passphrase', 'set'], { CLAUDECODE: '1' });
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).toMatch(/must be set by a human/);
    expect(existsSync(userKeyPath(box.paths))).toBe(false);
  });

  it('no terminal: refused (the passphrase is never read from stdin, a flag or the environment)', () => {
    const r = runDetached(blastgateArgv(['passphrase', 'set']), box.env, box.root);
    expect(r.code).toBe(77);
    expect(existsSync(userKeyPath(box.paths))).toBe(false);
  });

  it('set twice: refused, pointing at change', () => {
    box.setPassphrase();
    const r = runDetached(blastgateArgv(['passphrase', 'set']), box.env, box.root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already set .* use `blastgate passphrase change`/);
  });
});

describe('passphrase change', () => {
  it('needs the current passphrase; then the old one stops working', async () => {
    box.setPassphrase('the old passphrase');
    const wrong = term(['passphrase', 'change']);
    await answer(wrong, /Current approval passphrase/, 'not the old one');
    expect(await wrong.exitCode()).toBe(77);
    expect(passphraseMatches('the old passphrase', keyFile())).not.toBeNull();

    const t = term(['passphrase', 'change']);
    await answer(t, /Current approval passphrase/, 'the old passphrase');
    await answer(t, /New approval passphrase/, 'the new passphrase');
    await answer(t, /Repeat it/, 'the new passphrase');
    expect(await t.exitCode()).toBe(0);
    expect(passphraseMatches('the old passphrase', keyFile())).toBeNull();
    expect(passphraseMatches('the new passphrase', keyFile())).not.toBeNull();
  });
});
