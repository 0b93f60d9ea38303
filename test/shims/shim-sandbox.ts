// A temp world for shim tests: XDG dirs, a dir of fake tools, shims generated into a temp dir, and
// real `bash` to drive them on a PATH made of exactly those dirs plus the system's.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths } from '../../src/config/paths.js';
import { loadEngine } from '../../src/engine.js';
import type { RuleIndex } from '../../src/rulesets/types.js';
import { rehash, type RehashResult } from '../../src/shims/rehash.js';
import { selfEntry, type SelfEntry } from '../../src/shims/self.js';
import { configHomeOf } from '../../src/shims/setup.js';
import { sandbox } from '../helpers/cli.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'bin');
export const FAKE_TOOL = join(FIXTURES, 'fake-tool');
export const FAKE_BLASTGATE = join(FIXTURES, 'fake-blastgate');
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ShimWorld {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Fake tools (symlinks to fake-tool), on PATH right after the shims. */
  fakebin: string;
  /** Where fake tools record their runs (FAKE_TOOL_LOG prefix) and the fake blastgate its calls. */
  toolLog: string;
  fullLog: string;
  /** Add fake tools by name. */
  fake(...names: string[]): void;
  /** Generate shims into `dir` (default root/shims); `full: 'fake'` makes the full check a recorder. */
  shims(tools: string[], opts?: { dir?: string; full?: 'fake' | 'real'; index?: RuleIndex }): Promise<RehashResult>;
  pathWith(...dirs: string[]): string;
}

export const makeWorld = (): ShimWorld => {
  const { root, env } = sandbox();
  const fakebin = join(root, 'fakebin');
  mkdirSync(fakebin);
  const toolLog = join(root, 'tool');
  const fullLog = join(root, 'full.log');
  const world: ShimWorld = {
    root,
    fakebin,
    toolLog,
    fullLog,
    env: { ...env, FAKE_TOOL_LOG: toolLog, FAKE_BLASTGATE_LOG: fullLog },
    fake: (...names) => {
      for (const n of names) if (!existsSync(join(fakebin, n))) symlinkSync(FAKE_TOOL, join(fakebin, n));
    },
    shims: async (tools, opts = {}) => {
      const engine = await loadEngine({ env: world.env, cwd: root });
      const self: SelfEntry = opts.full === 'real' ? selfEntry() : { node: FAKE_BLASTGATE, bin: '/nonexistent/blastgate.js', versionFiles: [] };
      return rehash({
        dir: opts.dir ?? join(root, 'shims'),
        paths: resolvePaths(world.env),
        index: opts.index ?? engine.index,
        tools,
        mode: 'list',
        self,
        configHome: configHomeOf(world.env),
      });
    },
    pathWith: (...dirs) => [...dirs, SYSTEM_PATH].join(':'),
  };
  return world;
};

export interface BashResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Run a script with real bash (non-interactive) in the world's environment. */
export const bash = (script: string, opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer; args?: string[] }): BashResult => {
  const r = spawnSync('/bin/bash', ['-c', script, 'bash', ...(opts.args ?? [])], { env: opts.env, cwd: opts.cwd, input: opts.input ?? '', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
};

/** Same, with stdin (and stdout) on a pseudo-terminal (util-linux `script`). */
export const bashOnTty = (script: string, opts: { env: NodeJS.ProcessEnv; cwd?: string }): BashResult => {
  const r = spawnSync('/usr/bin/script', ['-qec', `/bin/bash -c ${shq(script)}`, '/dev/null'], { env: opts.env, cwd: opts.cwd, input: '', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
};

/** Start bash without waiting (signal tests). */
export const bashAsync = (script: string, opts: { env: NodeJS.ProcessEnv; cwd?: string }) =>
  spawn('/bin/bash', ['-c', script], { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });

export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What a fake tool recorded, or null if it never ran. */
export const toolRun = (world: ShimWorld) => {
  const f = (suffix: string) => `${world.toolLog}.${suffix}`;
  if (!existsSync(f('argv'))) return null;
  const nul = (text: string) => text.split('\0').slice(0, -1);
  return {
    argv: nul(readFileSync(f('argv'), 'utf8')),
    env: Object.fromEntries(nul(readFileSync(f('env'), 'utf8')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) as Record<string, string>,
    cwd: readFileSync(f('cwd'), 'utf8'),
    tty: readFileSync(f('tty'), 'utf8'),
    stdin: existsSync(f('stdin')) ? readFileSync(f('stdin')) : null,
  };
};

/** Count-prefixed NUL-separated records, as the fake tool and fake blastgate append them. */
const readRecords = (file: string): string[][] => {
  if (!existsSync(file)) return [];
  const fields = readFileSync(file, 'utf8').split('\0').slice(0, -1);
  const calls: string[][] = [];
  for (let i = 0; i < fields.length; ) {
    const n = Number(fields[i]);
    calls.push(fields.slice(i + 1, i + 1 + n));
    i += 1 + n;
  }
  return calls;
};

/** Calls the fake blastgate recorded (each: the argv after `run --`). */
export const fullChecks = (world: ShimWorld): string[][] => readRecords(world.fullLog);

/** Every argv the fake tools ran with since the last reset (blastgate's resolvers may run tools too). */
export const toolCalls = (world: ShimWorld): string[][] => readRecords(`${world.toolLog}.calls`);

/** Forget earlier runs. */
export const resetLogs = (world: ShimWorld) => {
  spawnSync('/bin/rm', ['-f', world.fullLog, ...['argv', 'env', 'cwd', 'tty', 'stdin', 'signals', 'ready', 'calls'].map((s) => `${world.toolLog}.${s}`)]);
};
