// The protected set and how operands are resolved against it (real files in a temp dir).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { protectedHit, protectedSet } from '../../src/match/protected-paths.js';

const root = mkdtempSync(join(tmpdir(), 'bg-protected-'));
const home = join(root, 'home');
const work = join(root, 'work');
mkdirSync(join(work, 'app', 'build'), { recursive: true });
mkdirSync(home);
writeFileSync(join(home, 'a.txt'), '');
writeFileSync(join(home, 'b.txt'), '');
writeFileSync(join(home, '.profile'), '');
symlinkSync(home, join(work, 'h'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cwd = join(work, 'app');
const set = protectedSet({ HOME: home }, cwd);
const hit = (words: string[], dynamic = false) => protectedHit(words.map((word) => ({ word, dynamic })), set, cwd);

describe('protected paths', () => {
  it('the caller’s $HOME, the getpwuid home and every /etc/passwd home', () => {
    expect(hit([home])).toMatch(/your home directory/);
    expect(hit([userInfo().homedir])).not.toBeNull();
    expect(hit(['~root'])).toMatch(/^\/root /);
    expect(hit(['~'])).toMatch(/your home/);
    expect(hit(['~no-such-user-xyz'])).toMatch(/unknown user/);
  });

  it('system, data and backup dirs, entries of /etc and /usr, and anything holding a protected dir', () => {
    for (const p of ['/', '/etc', '/usr/local', '/etc/ssl', '/var/lib/mysql/data', '/var/backups', '/home', root]) expect(hit([p]), p).not.toBeNull();
  });

  it('the current directory and those above it, by any spelling', () => {
    expect(hit(['.'])).toMatch(/current directory/);
    expect(hit(['..'])).toMatch(/above the current/);
    expect(hit(['build/../..'])).not.toBeNull();
  });

  it('symlinks: a trailing slash follows one into the home; the bare link deletes only the link', () => {
    expect(hit([join(work, 'h/')])).toMatch(/your home/);
    expect(hit([join(work, 'h')])).toBeNull();
  });

  it('every entry of a home, as the shell expanded `~/*` or `~/.*`, is the home', () => {
    expect(hit([join(home, 'a.txt'), join(home, 'b.txt')])).toMatch(/every entry of/);
    expect(hit([join(home, '.profile')])).toMatch(/every entry of/);
    expect(hit([join(home, 'a.txt')])).toBeNull();
  });

  it('run-time words: nothing but an expansion is any path; literal text is judged with variables empty', () => {
    expect(hit(['$PWD'], true)).toMatch(/could be any path/);
    expect(hit(['$(pwd)'], true)).toMatch(/could be any path/);
    expect(hit(['$BUILD_DIR/'], true)).not.toBeNull();
    expect(hit(['$BUILD_DIR/out'], true)).toBeNull();
    expect(hit(['${HOME:?}'], true)).toMatch(/your home/);
    expect(hit(['build', 'dist'])).toBeNull();
  });
});
