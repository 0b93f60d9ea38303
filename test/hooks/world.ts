// A throwaway world for hook tests: HOME, XDG dirs and a system dir under one temp root (the user's real
// config is never read), a project dir, and optionally a project policy that tightens decisions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface World {
  root: string;
  /** A project directory with no policy of its own. */
  project: string;
  /** A project directory whose `.blastgate/config.json` denies `terraform:*` and `railway:*` for agents. */
  strict: string;
  env: { PATH: string; HOME: string; XDG_CONFIG_HOME: string; XDG_STATE_HOME: string; XDG_DATA_HOME: string; BLASTGATE_SYSTEM_DIR: string };
  /** Removes the whole temp root (tests leave /tmp as they found it). */
  cleanup(): void;
}

export const makeWorld = (): World => {
  const root = mkdtempSync(join(tmpdir(), 'bg-hook-'));
  const home = join(root, 'home');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_DATA_HOME: join(root, 'data'),
    BLASTGATE_SYSTEM_DIR: join(root, 'etc'),
  };
  const project = join(root, 'project');
  const strict = join(root, 'strict');
  for (const dir of [home, env.BLASTGATE_SYSTEM_DIR, project, join(strict, '.blastgate')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(strict, '.blastgate', 'config.json'), JSON.stringify({ rules: { 'terraform:*': 'deny', 'railway:*': 'deny' } }));
  return { root, project, strict, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
};
