// Where blastgate reads and writes. Which of these may loosen the gate is decided in src/trust/layers.ts.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isRoot, passwdHome, SYSTEM_DIR, systemDirs, type SystemDir } from '../trust/layers.js';

export interface Paths {
  /** The invoking user's home from the password database (for root: $HOME when set). */
  home: string;
  /** The user layer: `<home>/.config/blastgate`. */
  configDir: string;
  /** Config dirs reached only through HOME / XDG_CONFIG_HOME: read as tighten-only layers. */
  envConfigDirs: string[];
  stateDir: string;
  dataDir: string;
  /** Where `passphrase set --system` writes: /etc/blastgate (root may name another with BLASTGATE_SYSTEM_DIR). */
  systemDir: string;
  /** Every system dir to read, each marked trusted (may loosen, lock, hold the key) or tighten-only. */
  systemDirs: SystemDir[];
  /** The fixed system dir. */
  defaultSystemDir: string;
}

export const DEFAULT_SYSTEM_DIR = SYSTEM_DIR;

export const resolvePaths = (env: Record<string, string | undefined>): Paths => {
  const root = isRoot();
  const home = root && env.HOME ? env.HOME : passwdHome();
  const envHome = env.HOME && env.HOME.startsWith('/') ? env.HOME : home;
  const xdg = (name: string, fallback: string) => {
    const v = env[name];
    return v && v.startsWith('/') ? v : join(envHome, fallback);
  };
  const envConfigHome = xdg('XDG_CONFIG_HOME', '.config');
  const configDir = root ? join(envConfigHome, 'blastgate') : join(home, '.config', 'blastgate');
  const envConfigDir = join(envConfigHome, 'blastgate');
  return {
    home,
    configDir,
    envConfigDirs: resolve(envConfigDir) === resolve(configDir) ? [] : [envConfigDir],
    stateDir: join(xdg('XDG_STATE_HOME', '.local/state'), 'blastgate'),
    dataDir: join(xdg('XDG_DATA_HOME', '.local/share'), 'blastgate'),
    systemDir: root && env.BLASTGATE_SYSTEM_DIR ? env.BLASTGATE_SYSTEM_DIR : SYSTEM_DIR,
    systemDirs: systemDirs(env),
    defaultSystemDir: SYSTEM_DIR,
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
