// Run the built CLI (bin/blastgate.js → dist/) in a sandbox of temp XDG dirs, never the user's own config.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'blastgate.js');

export interface Sandbox {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** Fresh HOME/XDG/system dirs; the caller's agent markers are removed so tests see a human by default. */
export const sandbox = (extra: NodeJS.ProcessEnv = {}): Sandbox => {
  const root = mkdtempSync(join(tmpdir(), 'bg-test-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'home', '.config'),
    XDG_STATE_HOME: join(root, 'home', '.local', 'state'),
    XDG_DATA_HOME: join(root, 'home', '.local', 'share'),
    BLASTGATE_SYSTEM_DIR: join(root, 'etc'),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...extra,
  };
  mkdirSync(env.HOME!, { recursive: true });
  return { root, env };
};

export const blastgate = (args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: opts.env ?? sandbox().env, cwd: opts.cwd, input: opts.input ?? '', encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
};
