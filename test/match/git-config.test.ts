// git's configuration applied before judging: aliases, remote push settings, config from env and files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitView } from '../../src/match/git-config.js';

const root = mkdtempSync(join(tmpdir(), 'bg-gitcfg-'));
const home = join(root, 'home');
const repo = join(root, 'repo');
mkdirSync(join(home, '.config', 'git'), { recursive: true });
mkdirSync(join(repo, '.git'), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { HOME: home, GIT_CONFIG_NOSYSTEM: '1' };

describe('gitView', () => {
  it('expands -c aliases (also chained), never over a git command', () => {
    expect(gitView(['-c', 'alias.fp=push --force', 'fp', 'origin', 'main'], env, repo).args).toEqual(['-c', 'alias.fp=push --force', 'push', '--force', 'origin', 'main']);
    expect(gitView(['-c', 'alias.p=push', '-c', "alias.fp=p '--force'", 'fp'], env, repo).args.slice(4)).toEqual(['push', '--force']);
    expect(gitView(['-c', 'alias.push=push --force', 'push'], env, repo).args.slice(2)).toEqual(['push']);
  });

  it('reads GIT_CONFIG_COUNT/KEY/VALUE and GIT_CONFIG_PARAMETERS', () => {
    expect(gitView(['fp'], { ...env, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'alias.fp', GIT_CONFIG_VALUE_0: 'push -f' }, repo).args).toEqual(['push', '-f']);
    expect(gitView(['fp'], { ...env, GIT_CONFIG_PARAMETERS: "'alias.fp'='reset --hard'" }, repo).args).toEqual(['reset', '--hard']);
  });

  it('reads aliases and remote settings from ~/.gitconfig, $XDG_CONFIG_HOME/git/config and .git/config', () => {
    writeFileSync(join(home, '.gitconfig'), '[alias]\n\tundo = reset --hard # comment\n');
    writeFileSync(join(home, '.config', 'git', 'config'), '[Alias]\n\tNuke = "!rm -rf build"\n');
    writeFileSync(join(repo, '.git', 'config'), '[remote "origin"]\n\turl = x\n\tpush = +refs/heads/main:refs/heads/main\n\tmirror = true\n');
    expect(gitView(['undo'], env, repo).args).toEqual(['reset', '--hard']);
    expect(gitView(['nuke', 'x'], env, repo)).toEqual({ args: [], nested: ["rm -rf build 'x'"], unknown: null });
    expect(gitView(['push', 'origin'], env, repo).args).toEqual(['push', 'origin', '--mirror', '+refs/heads/main:refs/heads/main']);
    // Refspecs on the command line replace the configured ones.
    expect(gitView(['push', 'origin', 'feature'], env, repo).args).toEqual(['push', 'origin', 'feature', '--mirror']);
  });

  it('a config file that includes others makes a possible alias unknown', () => {
    writeFileSync(join(home, '.gitconfig'), '[include]\n\tpath = ~/more.inc\n');
    expect(gitView(['fp', 'origin'], env, repo).unknown).toMatch(/includes other files/);
    expect(gitView(['status'], env, repo).unknown).toBeNull();
  });

  it('command-valued settings (core.sshCommand …) are command lines to judge', () => {
    expect(gitView(['-c', 'core.sshCommand=rm -rf ~', 'fetch'], env, repo).nested).toEqual(['rm -rf ~']);
  });
});
