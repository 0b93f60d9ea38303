// `blastgate shims list|rehash|remove`: inspect and maintain a shim dir.
import { existsSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngine, type Engine } from '../engine.js';
import { UsageError } from '../errors.js';
import { isShimFile, STAMP_FILE } from '../shims/marker.js';
import { readManifest } from '../shims/rehash.js';
import { currentGeneration, rehashDir, shimDirOf, writeShims } from '../shims/setup.js';
import { findRealBinary } from '../stages/exec.js';

export interface ShimsOptions {
  dir?: string;
  json?: boolean;
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
}

const outOf = (opts: ShimsOptions) => opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));

const noShims = (dir: string) => new UsageError(`no shims in ${dir}; run \`blastgate init\` first`);

export interface ShimStatus {
  tool: string;
  shim: 'current' | 'outdated' | 'missing';
  real: string | null;
  fastPath: boolean;
  note?: string;
}

/** Each shim of a dir compared with what a rehash would write now. */
export const shimStatuses = (engine: Engine, dir: string): ShimStatus[] => {
  const manifest = readManifest(dir);
  const now = currentGeneration(engine, dir);
  if (!manifest || !now) return [];
  // A shim is current when it carries the hash a rehash would write now and nothing changed since.
  return manifest.tools.map((tool) => {
    const file = join(dir, tool);
    let text: string | null = null;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // missing
    }
    let real: string | null = null;
    try {
      real = findRealBinary(tool, { path: engine.env.PATH, skipDirs: [dir] });
    } catch {
      // not installed
    }
    const always = text ? /^# Every invocation takes the full check: (.*)\.$/m.exec(text) : null;
    return {
      tool,
      shim: text === null ? 'missing' : text.includes(` ${now.hash}\n`) && !now.stale ? 'current' : 'outdated',
      real,
      fastPath: text !== null && !always,
      ...(always ? { note: always[1]! } : {}),
    };
  });
};

export const shimsList = async (opts: ShimsOptions = {}): Promise<number> => {
  const engine = await loadEngine({ env: opts.env ?? process.env });
  const dir = shimDirOf(engine, opts.dir);
  const manifest = readManifest(dir);
  if (!manifest) throw noShims(dir);
  const statuses = shimStatuses(engine, dir);
  const out = outOf(opts);
  if (opts.json) {
    out(JSON.stringify({ dir, mode: manifest.mode, hash: manifest.hash, shims: statuses }));
    return 0;
  }
  out(`${dir} (${manifest.mode === 'installed' ? 'tools found on PATH' : manifest.mode === 'all' ? 'every guarded tool' : 'chosen tools'})`);
  for (const s of statuses) {
    out(`  ${s.tool.padEnd(12)} ${s.shim.padEnd(9)} → ${s.real ?? 'no real binary on PATH'}${s.fastPath ? '' : `  (every call checked: ${s.note ?? 'shim missing'})`}`);
  }
  return 0;
};

export const shimsRehash = async (opts: ShimsOptions = {}): Promise<number> => {
  const engine = await loadEngine({ env: opts.env ?? process.env });
  const dir = shimDirOf(engine, opts.dir);
  const result = rehashDir(engine, dir);
  if (!result) throw noShims(dir);
  outOf(opts)(`Shims in ${dir}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed`);
  return 0;
};

/** Delete every shim in a dir (only files that are our shims), its stamp, and the dir if then empty. */
export const removeShimDir = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (name === STAMP_FILE || name === '.rehash.lock' || isShimFile(file)) {
      unlinkSync(file);
      removed.push(name);
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // something else lives there: leave it
  }
  return removed;
};

export const shimsRemove = async (tools: string[], opts: ShimsOptions = {}): Promise<number> => {
  const engine = await loadEngine({ env: opts.env ?? process.env });
  const dir = shimDirOf(engine, opts.dir);
  const manifest = readManifest(dir);
  if (!manifest) throw noShims(dir);
  const { requirePassphrase } = await import('../trust/admin-gate.js');
  await requirePassphrase({ paths: engine.paths, action: 'blastgate shims remove' });
  const out = outOf(opts);
  if (tools.length === 0) {
    const removed = removeShimDir(dir).filter((n) => !n.startsWith('.'));
    out(`Removed ${removed.length} shims from ${dir}${removed.length ? `: ${removed.join(', ')}` : ''}`);
    return 0;
  }
  const unknown = tools.filter((t) => !manifest.tools.includes(t));
  if (unknown.length) throw new UsageError(`no shim for ${unknown.join(', ')} in ${dir}`);
  const keep = manifest.tools.filter((t) => !tools.includes(t));
  const result = writeShims({ engine, dir, mode: 'list', tools: keep });
  out(`Removed ${result.removed.join(', ')} from ${dir}; the others stay (rehash now keeps exactly: ${keep.join(', ') || 'none'})`);
  return 0;
};
