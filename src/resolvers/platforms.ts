// Blast radius for container and app platforms, from flags, environment and local files (no API call):
// docker / podman — the daemon (context, DOCKER_HOST) and the compose project; fly — the app (flag, FLY_APP,
// fly.toml); heroku — the app (flag, HEROKU_APP, the `heroku` git remote).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findUp } from '../config/paths.js';
import type { Target } from '../types.js';
import { flagValue } from './flag-value.js';
import type { Resolver } from './types.js';

const readJson = (file: string): Record<string, unknown> | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
};

export const resolveDocker: Resolver = async (inv, _matches, ctx) => {
  const env = ctx.env;
  const configDir = env.DOCKER_CONFIG ?? join(env.HOME ?? '', '.docker');
  const context = flagValue(inv.argv, ['-c', '--context']) ?? env.DOCKER_CONTEXT ?? (env.DOCKER_HOST ? undefined : (readJson(join(configDir, 'config.json'))?.currentContext as string | undefined));
  let host = flagValue(inv.argv, ['-H', '--host']) ?? env.DOCKER_HOST ?? env.CONTAINER_HOST;
  if (!host && context && context !== 'default') {
    // The CLI stores a context's endpoint under meta/<sha256(name)>/meta.json.
    const meta = readJson(join(configDir, 'contexts', 'meta', createHash('sha256').update(context).digest('hex'), 'meta.json'));
    host = ((meta?.Endpoints as Record<string, { Host?: string }> | undefined)?.docker?.Host) ?? undefined;
  }
  const compose = inv.argv.includes('compose') || inv.program.includes('compose');
  const project = compose ? flagValue(inv.argv, ['-p', '--project-name']) ?? env.COMPOSE_PROJECT_NAME ?? basename(ctx.cwd) : undefined;
  const target: Target = {
    kind: 'docker',
    ...(project ? { name: project } : context ? { name: context } : {}),
    production: 'unknown',
    fields: { context: context ?? 'default', daemon: host ?? 'local socket', ...(project ? { 'compose project': project } : {}) },
  };
  return target;
};

export const resolveFly: Resolver = async (inv, _matches, ctx) => {
  let app = flagValue(inv.argv, ['-a', '--app']) ?? ctx.env.FLY_APP;
  const config = flagValue(inv.argv, ['-c', '--config']) ?? findUp(ctx.cwd, 'fly.toml');
  if (!app && config) {
    try {
      app = /^\s*app\s*=\s*["']([^"']+)["']/m.exec(readFileSync(config, 'utf8'))?.[1];
    } catch {
      // unreadable fly.toml: unknown
    }
  }
  const named = inv.argv.slice(1).find((w, i, all) => !w.startsWith('-') && ['destroy', 'delete', 'rm', 'remove'].includes(all[i - 1] ?? ''));
  return { kind: 'fly', ...(app ?? named ? { name: (app ?? named)! } : {}), production: 'unknown', fields: { app: app ?? named ?? null }, unresolved: app || named ? [] : ['app'] };
};

export const resolveHeroku: Resolver = async (inv, _matches, ctx) => {
  let app = flagValue(inv.argv, ['-a', '--app', '--confirm']) ?? ctx.env.HEROKU_APP;
  const remote = flagValue(inv.argv, ['-r', '--remote']) ?? 'heroku';
  if (!app) {
    const gitConfig = findUp(ctx.cwd, join('.git', 'config'));
    try {
      const text = gitConfig ? readFileSync(gitConfig, 'utf8') : '';
      const section = new RegExp(`\\[remote "${remote.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\]([^\\[]*)`).exec(text)?.[1] ?? '';
      app = /url\s*=\s*\S*heroku\.com[:/]([\w-]+)\.git/.exec(section)?.[1];
    } catch {
      // no git config: unknown
    }
  }
  return { kind: 'heroku', ...(app ? { name: app } : {}), production: 'unknown', fields: { app: app ?? null }, unresolved: app ? [] : ['app'] };
};
