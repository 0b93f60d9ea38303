// The one protected set: locations whose recursive deletion loses a system, a user's home, data or
// backups. `check` reads `~`, `$HOME`, `~root`, `~/*` as written; `run` and the shim see what the shell
// expanded them to (`/home/me`, every entry of it). Both are resolved here to real paths and compared
// with the same set.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { withoutExpansions } from './expansions.js';

/** Top-level system directories: deleting one (or anything above one) breaks the machine. */
const SYSTEM_DIRS = ['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/usr', '/var', '/var/lib', '/var/log'];
/** Directories whose every direct entry is itself protected (`/etc/nginx`, `/usr/local`, `/var/lib/postgresql`). */
const CHILDREN_PROTECTED = ['/etc', '/usr', '/var/lib', '/boot'];
/** Data and backup directories: anything at or below them is protected. */
const SUBTREES = [
  '/var/lib/postgresql', '/var/lib/mysql', '/var/lib/mongodb', '/var/lib/redis', '/var/lib/docker', '/var/lib/etcd',
  '/var/lib/elasticsearch', '/var/lib/clickhouse', '/var/lib/cassandra', '/var/lib/pgsql', '/var/lib/containers',
  '/var/backups', '/backup', '/backups', '/srv/backup', '/srv/backups', '/mnt/backup', '/mnt/backups',
];
/** Backup directory names inside a home (`~/backups`). */
const HOME_BACKUPS = ['backup', 'backups', 'Backups'];

type Why = string;

export interface ProtectedSet {
  /** Real path → why it is protected. Deleting it, or a directory above it, is a hit. */
  exact: Map<string, Why>;
  /** Deleting anything at or below these is a hit. */
  subtrees: Map<string, Why>;
  /** Directories each of whose entries is protected (`/etc/nginx`, `/usr/local`, `/var/lib/mysql`). */
  parents: Map<string, Why>;
  /** Directories whose entire contents (what `DIR/*` expands to) must not go. */
  contents: Map<string, Why>;
  /** Homes, for `~` and `~user` in words the shell has not expanded. */
  home: string;
  homes: Map<string, string>;
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** Every user's home from /etc/passwd (name → dir), for `~user` and as protected homes. */
const passwdHomes = (): Map<string, string> => {
  const out = new Map<string, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 7 && f[0] && f[5] && isAbsolute(f[5])) out.set(f[0], f[5]);
    }
  } catch {
    // No passwd to read: the getpwuid home and the system dirs still apply.
  }
  return out;
};

/** The repository root at or above `cwd` (a directory holding `.git`), if any. */
const repoRoot = (cwd: string): string | null => {
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
};

const cache = new Map<string, ProtectedSet>();

/**
 * The protected set for a caller: the getpwuid home (and `$HOME` when it points elsewhere: what the
 * shell expanded `~` to), every home in /etc/passwd, system, data and backup dirs, the repository
 * root, the current directory and its ancestors.
 */
export const protectedSet = (env: Record<string, string | undefined>, cwd: string): ProtectedSet => {
  const key = `${env.HOME ?? ''}\0${cwd}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const exact = new Map<string, Why>();
  const subtrees = new Map<string, Why>();
  const contents = new Map<string, Why>();
  const parents = new Map<string, Why>();
  const add = (p: string, why: Why, map = exact) => {
    const r = real(p);
    if (!map.has(r)) map.set(r, why);
  };
  let home = '/';
  try {
    home = userInfo().homedir || '/';
  } catch {
    // No passwd entry for this uid: HOME below still counts.
  }
  const homes = passwdHomes();
  for (const dir of SYSTEM_DIRS) add(dir, 'a system directory');
  for (const dir of SUBTREES) add(dir, 'a data or backup directory', subtrees);
  for (const dir of CHILDREN_PROTECTED) add(dir, `every entry of ${dir} is protected`, parents);
  for (const [dir, why] of [[home, 'your home directory'], ...(env.HOME && isAbsolute(env.HOME) ? [[env.HOME, 'your home directory ($HOME)']] : [])] as Array<[string, Why]>) {
    add(dir, why);
    add(dir, why, contents);
    for (const b of HOME_BACKUPS) add(join(dir, b), 'a backup directory', subtrees);
  }
  for (const [user, dir] of homes) {
    if (dir === '/' || dir === '/nonexistent' || dir.startsWith('/dev/') || !existsSync(dir)) continue;
    add(dir, `the home directory of ${user}`);
    add(dir, `the home directory of ${user}`, contents);
  }
  for (const dir of SYSTEM_DIRS) add(dir, 'a system directory', contents);
  const here = real(cwd);
  const root = repoRoot(here);
  if (root) {
    add(root, 'the repository root');
    add(root, 'the repository root', contents);
  }
  for (let d = here; ; d = dirname(d)) {
    add(d, d === here ? 'the current directory' : 'a directory above the current one');
    if (dirname(d) === d) break;
  }
  const set: ProtectedSet = { exact, subtrees, contents, parents, home: env.HOME && isAbsolute(env.HOME) ? env.HOME : home, homes };
  cache.set(key, set);
  return set;
};

/** One path operand as the command line gives it. */
export interface Operand {
  word: string;
  /** Only known at run time (`$X`, `$(…)`, a glob) in a line not yet run. */
  dynamic: boolean;
}

const GLOB = /[*?[]/;
// `~`, `~user`, `$HOME`, `${HOME}`, `${HOME:?msg}`, `${HOME:-x}` at the start of a word.
const HOME_PREFIX = /^(?:~([A-Za-z0-9._-]*)|\$HOME\b|\$\{HOME(?:[:]?[-?=+][^}]*)?\})(?=\/|$)/;

/** The word as a path with `~`/`$HOME` put in; null when the home of a named user is unknown. */
const expandHome = (word: string, set: ProtectedSet): string | null => {
  const m = HOME_PREFIX.exec(word);
  if (!m) return word;
  const user = m[1];
  const dir = user ? set.homes.get(user) : set.home;
  return dir === undefined ? null : dir + word.slice(m[0].length);
};

/**
 * Where deleting a path lands: its parent resolved through symlinks and `..` as the kernel walks them,
 * the last component kept (rm deletes a symlink, not its target) unless a trailing `/`, `.` or `..`
 * makes the kernel follow it.
 */
const landing = (path: string, cwd: string): string => {
  const abs = isAbsolute(path) ? path : `${cwd}/${path}`;
  if (/\/$/.test(abs) || /\/\.{1,2}$/.test(abs)) return real(abs);
  const cut = abs.lastIndexOf('/');
  return join(real(abs.slice(0, cut) || '/'), abs.slice(cut + 1));
};

const within = (path: string, dir: string) => path === dir || path.startsWith(dir === sep ? dir : dir + sep);

/** Why deleting this path is a hit, or null. */
const judgePath = (path: string, set: ProtectedSet): string | null => {
  const why = set.exact.get(path);
  if (why) return `${path} (${why})`;
  const parent = set.parents.get(dirname(path));
  if (parent) return `${path} (${parent})`;
  for (const [dir, w] of set.subtrees) if (within(path, dir)) return `${path} (${w}${path === dir ? '' : `: ${dir}`})`;
  for (const [dir, w] of set.exact) if (path !== dir && within(dir, path)) return `${path} (holds ${dir}, ${w})`;
  return null;
};

const entries = (dir: string): string[] | null => {
  try {
    return readdirSync(dir);
  } catch {
    return null;
  }
};

/**
 * Why deleting these operands loses a protected location, or null. A word known only at run time
 * stands for any path (fail closed) unless it has literal text that, with its variables empty, is
 * judged like any path (`"$BUILD_DIR/"` reads as `/`). `DIR/*` (written, or expanded by the shell into
 * every entry of DIR) counts as deleting DIR's contents.
 */
export const protectedHit = (operands: Operand[], set: ProtectedSet, cwd: string): string | null => {
  const landed: string[] = [];
  for (const { word, dynamic } of operands) {
    if (word === '') continue;
    let path = expandHome(word, set);
    if (path === null) return `${word} (the home of an unknown user)`;
    if (dynamic) {
      path = withoutExpansions(path);
      if (path === '') return `${word} (only known at run time: could be any path)`;
    }
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (dynamic && GLOB.test(last)) {
      // A glob as written: `*` / `.*` as the last component takes a directory's whole contents.
      if (last === '*' || last === '.*' || last === '.[!.]*' || last === '*/') {
        const dir = landing(path.slice(0, path.length - last.length) || '.', cwd);
        const why = set.contents.get(dir) ?? set.exact.get(dir);
        if (why) return `${word} (every entry of ${dir}, ${why})`;
        const up = judgePath(dir, set);
        if (up) return `${word} (every entry of ${up})`;
      }
      continue;
    }
    const at = landing(path, cwd);
    const why = judgePath(at, set);
    if (why) return why;
    landed.push(at);
  }
  return coversContents(landed, set);
};

// What the shell made of `DIR/*` (or `*` in DIR): every visible entry of DIR, or every hidden one.
const coversContents = (paths: string[], set: ProtectedSet): string | null => {
  const byDir = new Map<string, Set<string>>();
  for (const p of paths) {
    const d = dirname(p);
    if (!set.contents.has(d) && !set.exact.has(d)) continue;
    let names = byDir.get(d);
    if (!names) byDir.set(d, (names = new Set()));
    names.add(p.slice(d.length + (d === sep ? 0 : 1)));
  }
  for (const [dir, names] of byDir) {
    const all = entries(dir);
    if (!all) continue;
    const visible = all.filter((n) => !n.startsWith('.'));
    const hidden = all.filter((n) => n.startsWith('.'));
    const why = set.contents.get(dir) ?? set.exact.get(dir)!;
    // The current directory (not a home, system dir or repo root) needs more than one operand:
    // `rm -rf build` in a dir holding only build is an ordinary command.
    const min = set.contents.has(dir) ? 1 : 2;
    for (const group of [visible, hidden]) {
      if (group.length >= min && group.every((n) => names.has(n))) return `every entry of ${dir} (${why})`;
    }
  }
  return null;
};
