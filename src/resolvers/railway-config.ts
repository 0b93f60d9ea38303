// The Railway CLI's own config (~/.railway/config.json) and the project/environment/service it would
// target from this directory — read the way railwayapp/cli v5 reads it (src/config.rs).
import { readRegularText } from '../payload/read.js';
import { dirname, join, resolve } from 'node:path';

/** One `railway link` entry, keyed in the file by the absolute directory that was linked. */
export interface LinkedProject {
  projectPath: string;
  name?: string;
  project: string;
  environment?: string;
  environmentName?: string;
  service?: string;
}

export interface RailwayConfig {
  projects: Record<string, LinkedProject>;
  /** Which kinds of login credential the file holds (never their values). */
  session: { accessToken: boolean; legacyToken: boolean };
  /** The file that was read. */
  path: string;
}

type Env = Record<string, string | undefined>;

/** `RAILWAY_ENV=staging` → config-staging.json, `dev|develop` → config-dev.json, else config.json. */
export const railwayConfigPath = (env: Env): string | null => {
  const home = env.HOME ?? env.USERPROFILE;
  if (!home) return null;
  const which = (env.RAILWAY_ENV ?? '').toLowerCase();
  const file = which === 'staging' ? 'config-staging.json' : which === 'dev' || which === 'develop' ? 'config-dev.json' : 'config.json';
  return join(home, '.railway', file);
};

/** The API host the CLI talks to under this RAILWAY_ENV. */
export const railwayBackboard = (env: Env): string => {
  const which = (env.RAILWAY_ENV ?? '').toLowerCase();
  const host = which === 'staging' ? 'railway-staging.com' : which === 'dev' || which === 'develop' ? 'railway-develop.com' : 'railway.com';
  return `https://backboard.${host}/graphql/v2`;
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Read the config; null when absent or not JSON (the CLI then behaves as if nothing is linked). */
export const readRailwayConfig = (env: Env): RailwayConfig | null => {
  const path = railwayConfigPath(env);
  if (!path) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readRegularText(path));
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const data = raw as { projects?: unknown; user?: unknown };
  const projects: Record<string, LinkedProject> = {};
  if (data.projects && typeof data.projects === 'object') {
    for (const [dir, entry] of Object.entries(data.projects as Record<string, Record<string, unknown>>)) {
      const project = str(entry?.project);
      if (!project) continue;
      projects[dir] = {
        projectPath: str(entry.projectPath) ?? dir,
        project,
        ...(str(entry.name) ? { name: str(entry.name) } : {}),
        ...(str(entry.environment) ? { environment: str(entry.environment) } : {}),
        ...(str(entry.environmentName) ? { environmentName: str(entry.environmentName) } : {}),
        ...(str(entry.service) ? { service: str(entry.service) } : {}),
      };
    }
  }
  const user = (data.user ?? {}) as Record<string, unknown>;
  return { projects, session: { accessToken: !!str(user.accessToken), legacyToken: !!str(user.token) }, path };
};

/** The entry for cwd or its nearest linked ancestor (exact key match, as the CLI does). */
export const linkedProjectFor = (config: RailwayConfig, cwd: string): LinkedProject | undefined => {
  let dir = resolve(cwd);
  for (;;) {
    const entry = config.projects[dir];
    if (entry) return entry;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
};
