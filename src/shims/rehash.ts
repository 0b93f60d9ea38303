// Write one shim per guarded tool, remove shims nobody asks for any more, and stamp the generation.
// Like rbenv's rehash: one template, written atomically, under a noclobber-style lock.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Paths } from '../config/paths.js';
import { BlastgateError } from '../errors.js';
import type { RuleIndex } from '../rulesets/types.js';
import { isShimFile, STAMP_FILE } from './marker.js';
import { INLINE_KEYWORDS, prefilterFor, type Prefilter } from './prefilter.js';
import type { SelfEntry } from './self.js';
import { renderShim, SHIM_TEMPLATE_VERSION, type ShimContext } from './template.js';

/** Which tools a shim dir holds: those installed, every guarded program, or a chosen list. */
export type ShimMode = 'installed' | 'all' | 'list';

export interface Manifest {
  version: number;
  hash: string;
  mode: ShimMode;
  tools: string[];
  node: string;
  bin: string;
  configHome: string;
  systemDir: string;
  generated: string;
}

export interface RehashOptions {
  dir: string;
  paths: Paths;
  index: RuleIndex;
  tools: string[];
  mode: ShimMode;
  self: SelfEntry;
  /** The raw value of XDG_CONFIG_HOME/HOME, as the shim will compare it. */
  configHome: string;
}

export interface RehashResult {
  dir: string;
  hash: string;
  written: string[];
  unchanged: string[];
  removed: string[];
  prefilters: Prefilter[];
}

const LOCK_FILE = '.rehash.lock';
/** A lock older than this was left by a crashed rehash. */
const STALE_LOCK_MS = 5 * 60 * 1000;

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** The user and system rules dirs and their files: editing any of them may change the rules. */
export const rulesSources = (paths: Paths, self: SelfEntry): { watch: string[]; absent: string[] } => {
  const watch = [...self.versionFiles];
  const absent: string[] = [];
  for (const dir of [join(paths.configDir, 'rules'), join(paths.systemDir, 'rules')]) {
    if (!existsSync(dir)) {
      absent.push(dir);
      continue;
    }
    watch.push(dir, ...listDir(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f)));
  }
  return { watch, absent };
};

/** The generation hash: template, rules, and where the shims send the full check. */
export const generationHash = (opts: Pick<RehashOptions, 'index' | 'tools' | 'self' | 'configHome' | 'paths'>, sources: { watch: string[]; absent: string[] }): string =>
  createHash('sha256')
    .update(JSON.stringify({
      template: SHIM_TEMPLATE_VERSION,
      inline: INLINE_KEYWORDS,
      tools: opts.tools,
      node: opts.self.node,
      bin: opts.self.bin,
      configHome: opts.configHome,
      systemDir: opts.paths.systemDir,
      sources,
      rules: opts.index.rulesets.map((s) => ({ binaries: s.binaries, grammar: s.grammar, rules: s.rules.map((r) => [r.id, r.match]) })),
    }))
    .digest('hex')
    .slice(0, 16);

const withLock = <T>(dir: string, fn: () => T): T => {
  const lock = join(dir, LOCK_FILE);
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      // removed meanwhile
    }
    if (age < STALE_LOCK_MS) throw new BlastgateError(`cannot rehash: ${lock} exists (another rehash is running; if not, delete it)`);
    writeFileSync(lock, `${process.pid}\n`);
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // already gone
    }
  }
};

// Write via a temp file and rename, so a shim running right now never reads half a file.
const writeAtomic = (file: string, text: string, mode: number) => {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
};

const readOr = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Line 1 of the stamp: the hash every current shim must carry (what the shims themselves compare). */
export const readStampHash = (dir: string): string | null => readOr(join(dir, STAMP_FILE))?.split('\n', 1)[0] ?? null;

export const readManifest = (dir: string): Manifest | null => {
  const text = readOr(join(dir, STAMP_FILE));
  if (!text) return null;
  try {
    return JSON.parse(text.slice(text.indexOf('\n') + 1)) as Manifest;
  } catch {
    return null;
  }
};

/** Generate every shim in `opts.dir` (created 0755 if missing), then the stamp. */
export const rehash = (opts: RehashOptions): RehashResult => {
  mkdirSync(opts.dir, { recursive: true, mode: 0o755 });
  return withLock(opts.dir, () => {
    const tools = [...new Set(opts.tools)].sort();
    const sources = rulesSources(opts.paths, opts.self);
    const hash = generationHash({ ...opts, tools }, sources);
    const ctx: ShimContext = { hash, dir: opts.dir, node: opts.self.node, bin: opts.self.bin, ...sources, configHome: opts.configHome, systemDir: opts.paths.systemDir };
    const result: RehashResult = { dir: opts.dir, hash, written: [], unchanged: [], removed: [], prefilters: [] };
    for (const tool of tools) {
      const prefilter = prefilterFor(opts.index, tool);
      result.prefilters.push(prefilter);
      const file = join(opts.dir, tool);
      const text = renderShim(prefilter, ctx);
      if (readOr(file) === text && (statSync(file).mode & 0o777) === 0o755) {
        result.unchanged.push(tool);
        continue;
      }
      writeAtomic(file, text, 0o755);
      result.written.push(tool);
    }
    for (const name of listDir(opts.dir)) {
      if (tools.includes(name) || name.startsWith('.')) continue;
      if (isShimFile(join(opts.dir, name))) {
        unlinkSync(join(opts.dir, name));
        result.removed.push(name);
      }
    }
    writeStamp(opts, tools, hash, sources.watch);
    return result;
  });
};

// Rewritten when its content changes or a watched file is newer (else the shims would stay stale).
const writeStamp = (opts: RehashOptions, tools: string[], hash: string, watch: string[]) => {
  const stamp = join(opts.dir, STAMP_FILE);
  const old = readManifest(opts.dir);
  const manifest: Manifest = {
    version: SHIM_TEMPLATE_VERSION,
    hash,
    mode: opts.mode,
    tools,
    node: opts.self.node,
    bin: opts.self.bin,
    configHome: opts.configHome,
    systemDir: opts.paths.systemDir,
    generated: old && old.hash === hash ? old.generated : new Date().toISOString(),
  };
  const text = `${hash}\n${JSON.stringify(manifest, null, 2)}\n`;
  if (readOr(stamp) === text && !isStale(opts.dir, watch)) return;
  writeAtomic(stamp, text, 0o644);
};

/** A watched file modified after the stamp: shims would take the full check until the next rehash. */
export const isStale = (dir: string, watch: string[]): boolean => {
  let stampTime: number;
  try {
    stampTime = statSync(join(dir, STAMP_FILE)).mtimeMs;
  } catch {
    return true;
  }
  return watch.some((f) => {
    try {
      return statSync(f).mtimeMs > stampTime;
    } catch {
      return false;
    }
  });
};
