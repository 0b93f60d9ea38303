// Who may loosen the gate — the whole trust model in one place.
//
// The caller may be an agent running as the same user. So nothing the caller can set (HOME, XDG_*,
// BLASTGATE_*) or write (anything it owns) may make the gate weaker. Layers, from the floor up:
//   builtin   the rules shipped in the package                          may loosen (it is the floor)
//   system    /etc/blastgate, when it and every dir above are root-owned  may loosen, may lock
//             and closed to group/other writers
//   user      the config dir under getpwuid(geteuid())'s home            adds and raises; loosens only
//                                                                        through a file signed with the
//                                                                        approval key
//   env       anything reached through HOME, XDG_CONFIG_HOME,            adds and raises only
//             BLASTGATE_SYSTEM_DIR, or a system dir that fails the
//             ownership check
//   project   the nearest .blastgate/ at or above cwd                    adds and raises only
//
// Root is the one exception: a root caller can rewrite /etc/blastgate itself, so distrusting its
// environment would protect nothing; for root, HOME/XDG/BLASTGATE_SYSTEM_DIR are taken at their word.
import { realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';

/** Fixed at build: the only system dir that can loosen, lock, or hold the approval key. */
export const SYSTEM_DIR = '/etc/blastgate';

export type TrustLevel = 'builtin' | 'system' | 'user' | 'env' | 'project';

export const isRoot = (): boolean => process.geteuid?.() === 0;

/** The invoking user's home from the password database; `$HOME` is only a hint the caller controls. */
export const passwdHome = (): string => {
  try {
    return userInfo().homedir;
  } catch {
    return '/nonexistent';
  }
};

/**
 * Why a path cannot be written by anyone but root: the path and every directory above it are owned by
 * root and not group/world-writable (a writable parent could swap the whole tree). null = protected.
 */
export const rootOwnershipProblem = (path: string): string | null => {
  let p: string;
  try {
    // Judge what is really read: a root-owned symlink into a user's dir must not pass.
    p = realpathSync(resolve(path));
  } catch (err) {
    return `${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`;
  }
  for (let i = 0; i < 64; i++) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      return `${p}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`;
    }
    if (st.uid !== 0) return `${p} is not owned by root`;
    // A sticky world-writable dir (/tmp) still lets others rename into it; refuse it too.
    if ((st.mode & 0o022) !== 0) return `${p} is group- or world-writable`;
    const parent = dirname(p);
    if (parent === p) return null;
    p = parent;
  }
  return `${path}: too deep`;
};

/** For root's own BLASTGATE_SYSTEM_DIR: the dir itself root-owned and closed to other writers. */
const dirOwnProblem = (dir: string): string | null => {
  try {
    const st = statSync(dir);
    if (st.uid !== 0) return `${dir} is not owned by root`;
    return (st.mode & 0o022) !== 0 ? `${dir} is group- or world-writable` : null;
  } catch (err) {
    return `${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`;
  }
};

export interface SystemDir {
  dir: string;
  /** May loosen, lock, and hold the approval key. */
  trusted: boolean;
  /** Why not, for `doctor` and warnings. */
  why?: string;
}

/**
 * The system dirs to read, in order. /etc/blastgate counts when root-owned all the way up. A dir named by
 * BLASTGATE_SYSTEM_DIR only adds a tighten-only layer (for root it is trusted like /etc/blastgate).
 */
export const systemDirs = (env: Record<string, string | undefined>): SystemDir[] => {
  const out: SystemDir[] = [];
  const root = isRoot();
  const fixedWhy = rootOwnershipProblem(SYSTEM_DIR);
  out.push({ dir: SYSTEM_DIR, trusted: fixedWhy === null, ...(fixedWhy ? { why: fixedWhy } : {}) });
  const extra = env.BLASTGATE_SYSTEM_DIR;
  if (extra && extra.startsWith('/') && resolve(extra) !== SYSTEM_DIR) {
    const why = root ? dirOwnProblem(extra) : 'named by BLASTGATE_SYSTEM_DIR, which any process can set';
    out.push({ dir: extra, trusted: why === null, ...(why ? { why } : {}) });
  }
  return out;
};

/** Whether files at this trust level may lower a decision or turn a rule off (signatures aside). */
export const mayLoosen = (level: TrustLevel): boolean => level === 'builtin' || level === 'system';

/** Whether a ruleset from this level may define a rule id a trusted layer already has. */
export const mayReplaceRules = (level: TrustLevel): boolean => level === 'builtin' || level === 'system';

/** Signed user files are the one way a user-writable file loosens; the signature is checked by the caller. */
export const signatureCanLoosen = (level: TrustLevel): boolean => level === 'user';
