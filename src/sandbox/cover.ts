// Which files on the host are guarded tools, found everywhere an agent could reach them by path.
import { readdirSync, readlinkSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { expandHome } from './credentials.js';
import { isExecutableFile, realOrNull } from '../io/files.js';

export interface Covered {
  /** The real file the client is mounted over (symlinks resolved: a mount follows them anyway). */
  real: string;
  /** Every path found that leads to it (`/usr/bin/psql`, `/usr/bin/pg_dump` → pg_wrapper …): the broker runs only these. */
  paths: string[];
  /** Guarded program names among those paths. */
  programs: string[];
}

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];


const postgresBinDirs = (): string[] => {
  try {
    return readdirSync('/usr/lib/postgresql').map((v) => join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    return [];
  }
};

/** Every directory searched: PATH, the system dirs, PostgreSQL's versioned dirs, ~/.local/bin, the workspace's node_modules/.bin. */
export const searchDirs = (opts: { path: string | undefined; home: string; workspace: string; extra: string[] }): string[] => {
  const dirs = [
    ...(opts.path ?? '').split(':'),
    ...SYSTEM_DIRS,
    ...postgresBinDirs(),
    join(opts.home, '.local/bin'),
    join(opts.workspace, 'node_modules/.bin'),
    ...opts.extra.map((d) => expandHome(d, opts.home)),
  ].filter((d) => d !== '' && isAbsolute(d));
  return [...new Set(dirs)];
};

/**
 * Why: the jail mounts the client over each `real` file, so every path to it — and every copy the agent
 * makes of what it can see — is the client. `skip` are files never to cover (blastgate's own client).
 */
export const findCovered = (programs: Set<string>, dirs: string[], skip: Set<string> = new Set()): Covered[] => {
  const byReal = new Map<string, Covered>();
  // Only symlinks need a realpath each; a plain file's real path is its directory's real path + name.
  const listed: Array<{ dir: string; realDir: string; names: Array<{ name: string; link: boolean }> }> = [];
  for (const dir of dirs) {
    const realDir = realOrNull(dir);
    if (!realDir) continue;
    try {
      listed.push({ dir, realDir, names: readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, link: d.isSymbolicLink() })) });
    } catch {
      continue;
    }
  }
  const realOf = (l: (typeof listed)[number], e: { name: string; link: boolean }) => (e.link ? realOrNull(join(l.dir, e.name)) : join(l.realDir, e.name));
  for (const l of listed) {
    for (const e of l.names) {
      if (!programs.has(e.name)) continue;
      const path = join(l.dir, e.name);
      const real = realOf(l, e);
      if (!real || skip.has(real) || !isExecutableFile(path)) continue;
      const c = byReal.get(real) ?? { real, paths: [], programs: [] };
      if (!c.programs.includes(e.name)) c.programs.push(e.name);
      byReal.set(real, c);
    }
  }
  // Other names for the same file (pg_wrapper serves psql and pg_dump) are covered by the same mount.
  // A cheap readlink first: only a link whose target is named like a covered file can lead to one.
  const realDirs = new Set([...byReal.keys()].map((r) => r.slice(0, r.lastIndexOf('/'))));
  const realNames = new Set([...byReal.keys()].map((r) => r.slice(r.lastIndexOf('/') + 1)));
  const mayLead = (l: (typeof listed)[number], e: { name: string; link: boolean }) => {
    if (!e.link) return realDirs.has(l.realDir) && realNames.has(e.name);
    try {
      const target = readlinkSync(join(l.dir, e.name));
      return realNames.has(target.slice(target.lastIndexOf('/') + 1)) || realNames.has(e.name);
    } catch {
      return false;
    }
  };
  for (const l of listed) {
    for (const e of l.names) {
      if (!mayLead(l, e)) continue;
      const real = realOf(l, e);
      const c = real ? byReal.get(real) : undefined;
      const path = join(l.dir, e.name);
      if (c && !c.paths.includes(path)) c.paths.push(path);
    }
  }
  for (const c of byReal.values()) if (!c.paths.includes(c.real)) c.paths.push(c.real);
  return [...byReal.values()];
};
