// Blast radius for git: the repository, the current branch and, for a push, the remote's URL — read from
// .git files (no git process, no network).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findUp } from '../config/paths.js';
import type { Resolver } from './types.js';

export const resolveGit: Resolver = async (inv, _matches, ctx) => {
  const chdir = inv.argv.indexOf('-C') > 0 ? inv.argv[inv.argv.indexOf('-C') + 1] : undefined;
  const start = chdir ? join(ctx.cwd, chdir) : ctx.cwd;
  const gitDir = ctx.env.GIT_DIR ?? findUp(start, '.git');
  if (!gitDir) return { kind: 'git', production: 'unknown', fields: { repository: null }, notes: ['not inside a git repository'] };
  let branch: string | null = null;
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    branch = head.startsWith('ref: refs/heads/') ? head.slice('ref: refs/heads/'.length) : `detached at ${head.slice(0, 12)}`;
  } catch {
    // a worktree's .git file or an unreadable HEAD: unknown
  }
  const push = inv.argv.indexOf('push');
  const remote = push > 0 ? inv.argv.slice(push + 1).find((w) => !w.startsWith('-')) : undefined;
  let url: string | null = null;
  if (remote) {
    try {
      const text = readFileSync(join(gitDir, 'config'), 'utf8');
      const section = new RegExp(`\\[remote "${remote.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\]([^\\[]*)`).exec(text)?.[1] ?? '';
      url = /url\s*=\s*(\S+)/.exec(section)?.[1]?.replace(/\/\/[^@/]*@/, '//***@') ?? null;
    } catch {
      // unreadable config
    }
  }
  return {
    kind: 'git',
    name: dirname(gitDir).split('/').pop() ?? 'repository',
    production: 'unknown',
    fields: { repository: dirname(gitDir), branch, ...(remote ? { remote, 'remote url': url } : {}) },
  };
};
