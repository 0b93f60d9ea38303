// What init, rehash, list and doctor share: which tools get shims, and one rehash call with our paths.
import { resolve } from 'node:path';
import type { Engine } from '../engine.js';
import { realBinaryCandidates } from '../stages/exec.js';
import { defaultShimDir } from './marker.js';
import { generationHash, isStale, readManifest, readStampHash, rehash, rulesSources, type RehashResult, type ShimMode } from './rehash.js';
import { selfEntry, type SelfEntry } from './self.js';

/** $XDG_CONFIG_HOME, or $HOME/.config, computed exactly as the shim computes it. */
export const configHomeOf = (env: Record<string, string | undefined>): string => {
  const x = env.XDG_CONFIG_HOME;
  return x && x.startsWith('/') ? x : `${env.HOME ?? ''}/.config`;
};

export const shimDirOf = (engine: Engine, dir?: string): string => resolve(dir ?? defaultShimDir(engine.paths));

/** Every program some loaded ruleset guards. */
export const guardedTools = (engine: Engine): string[] => Object.keys(engine.index.byBinary).sort();

/** Guarded programs with a real binary on PATH (past the shim dir). */
export const installedTools = (engine: Engine, dir: string): string[] =>
  guardedTools(engine).filter((t) => realBinaryCandidates(t, { path: engine.env.PATH, skipDirs: [dir] }).length > 0);

/** The tool set for a mode; `list` keeps the given tools that are still guarded. */
export const toolsFor = (engine: Engine, dir: string, mode: ShimMode, listed: string[] = []): string[] => {
  if (mode === 'all') return guardedTools(engine);
  if (mode === 'installed') return installedTools(engine, dir);
  const guarded = new Set(guardedTools(engine));
  return listed.filter((t) => guarded.has(t));
};

export interface SetupOptions {
  engine: Engine;
  dir: string;
  mode: ShimMode;
  tools: string[];
  /** Tests point the full check somewhere else. */
  self?: SelfEntry;
}

export const writeShims = (opts: SetupOptions): RehashResult =>
  rehash({
    dir: opts.dir,
    paths: opts.engine.paths,
    index: opts.engine.index,
    tools: opts.tools,
    mode: opts.mode,
    self: opts.self ?? selfEntry(),
    configHome: configHomeOf(opts.engine.env),
  });

/** Regenerate a shim dir the way it was set up (mode and tool list from its manifest). */
export const rehashDir = (engine: Engine, dir: string, self?: SelfEntry): RehashResult | null => {
  const manifest = readManifest(dir);
  if (!manifest) return null;
  const tools = toolsFor(engine, dir, manifest.mode, manifest.tools);
  return writeShims({ engine, dir, mode: manifest.mode, tools, ...(self ? { self } : {}) });
};

/**
 * The hash a rehash would stamp now, or null when the dir has no manifest. Shims carrying another
 * hash, or a stamp older than a rules file, take the full check on every call until rehashed.
 */
export const currentGeneration = (engine: Engine, dir: string, self: SelfEntry = selfEntry()): { hash: string; stale: boolean } | null => {
  const manifest = readManifest(dir);
  if (!manifest) return null;
  const tools = [...new Set(toolsFor(engine, dir, manifest.mode, manifest.tools))].sort();
  const sources = rulesSources(engine.paths, self);
  const hash = generationHash({ index: engine.index, tools, self, configHome: configHomeOf(engine.env), paths: engine.paths }, sources);
  return { hash, stale: hash !== manifest.hash || readStampHash(dir) !== hash || isStale(dir, sources.watch) };
};
