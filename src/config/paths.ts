// Where blastgate reads and writes, following XDG; one place so tests can point everything at a temp dir.
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Paths {
  configDir: string;
  stateDir: string;
  dataDir: string;
  systemDir: string;
  /** Set when XDG_CONFIG_HOME moved the user config away from ~/.config (an env var an agent can set). */
  configDirFromEnv: boolean;
  /** The default system dir, always consulted for a lock even when BLASTGATE_SYSTEM_DIR points elsewhere. */
  defaultSystemDir: string;
}

export const DEFAULT_SYSTEM_DIR = '/etc/blastgate';

export const resolvePaths = (env: Record<string, string | undefined>): Paths => {
  const home = env.HOME || homedir();
  const xdg = (name: string, fallback: string) => {
    const v = env[name];
    return v && v.startsWith('/') ? v : join(home, fallback);
  };
  const configHome = xdg('XDG_CONFIG_HOME', '.config');
  return {
    configDir: join(configHome, 'blastgate'),
    stateDir: join(xdg('XDG_STATE_HOME', '.local/state'), 'blastgate'),
    dataDir: join(xdg('XDG_DATA_HOME', '.local/share'), 'blastgate'),
    systemDir: env.BLASTGATE_SYSTEM_DIR || DEFAULT_SYSTEM_DIR,
    configDirFromEnv: configHome !== join(home, '.config'),
    defaultSystemDir: DEFAULT_SYSTEM_DIR,
  };
};

/** The nearest `<dir>/<relative>` that exists, walking up from `start` (bounded), or null. */
export const findUp = (start: string, relative: string): string | null => {
  let dir = start;
  for (let i = 0; i < 64; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  return null;
};
