// `blastgate init`: shims for the guarded tools, and the shim dir first on PATH in the shell rc files.
// Idempotent: a second run rewrites nothing and asks nothing.
import { homedir } from 'node:os';
import { loadEngine, type Engine } from '../engine.js';
import { UsageError } from '../errors.js';
import type { ShimMode } from '../shims/rehash.js';
import type { SelfEntry } from '../shims/self.js';
import { guardedTools, shimDirOf, toolsFor, writeShims } from '../shims/setup.js';
import { detectShells, rcBlock, rcFileFor, rcState, SHELLS, writeRcBlock, type ShellName } from '../shims/shell-rc.js';
import { findRealBinary } from '../stages/exec.js';
import { offerApprovalPassphrase } from './init-passphrase.js';

export interface InitOptions {
  dir?: string;
  /** Comma-separated tools to shim. */
  tools?: string;
  /** Shim every guarded tool, installed or not. */
  all?: boolean;
  /** Accept the rc-file edit without asking. */
  yes?: boolean;
  /** false (`--no-shell-rc`): only print the rc lines. */
  shellRc?: boolean;
  /** Comma-separated shells (bash, zsh, fish) instead of the detected ones. */
  shell?: string;
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  /** Asks a yes/no question on the terminal; null when there is no terminal to ask on. */
  ask?: (question: string) => Promise<boolean | null>;
  self?: SelfEntry;
}

const splitList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

const chooseTools = (engine: Engine, dir: string, opts: InitOptions): { mode: ShimMode; tools: string[] } => {
  if (opts.tools !== undefined) {
    const wanted = splitList(opts.tools);
    const guarded = new Set(guardedTools(engine));
    const unknown = wanted.filter((t) => !guarded.has(t));
    if (unknown.length) throw new UsageError(`--tools: ${unknown.join(', ')} not guarded by any ruleset (guarded: ${[...guarded].join(', ')})`);
    return { mode: 'list', tools: wanted };
  }
  const mode: ShimMode = opts.all ? 'all' : 'installed';
  return { mode, tools: toolsFor(engine, dir, mode) };
};

const chooseShells = (opts: InitOptions, env: Record<string, string | undefined>, home: string): ShellName[] => {
  if (opts.shell !== undefined) {
    const named = splitList(opts.shell);
    const bad = named.filter((s) => !SHELLS.includes(s as ShellName));
    if (bad.length) throw new UsageError(`--shell: ${bad.join(', ')} (known: ${SHELLS.join(', ')})`);
    return named as ShellName[];
  }
  const found = detectShells(env, home);
  return found.length ? found : ['bash'];
};

// The default question goes to the controlling terminal, never stdin: a pipe must not say yes.
const askOnTty = async (question: string): Promise<boolean | null> => {
  const { openTty } = await import('../confirm/tty-prompt.js');
  const tty = openTty();
  if (!tty) return null;
  try {
    const answer = await tty.ask(`${question} (y/N)`, { timeoutMs: 120_000 });
    return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    tty.close();
  }
};

const setUpShell = async (shell: ShellName, dir: string, opts: InitOptions, env: Record<string, string | undefined>, home: string, out: (l: string) => void) => {
  const file = rcFileFor(shell, env, home);
  const block = rcBlock(shell, dir);
  const state = rcState(file, block);
  const shown = file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
  if (state === 'current') return out(`${shell}: ${shown} already puts the shims first on PATH`);
  if (opts.shellRc === false) return out(`${shell}: add this to ${shown}:\n${block}`);
  out(`${shell}: ${state === 'outdated' ? 'update' : 'add'} this block ${state === 'outdated' ? 'in' : 'at the end of'} ${shown}:\n${block}`);
  let yes = opts.yes === true;
  if (!yes) {
    const answer = await (opts.ask ?? askOnTty)(`Edit ${shown}?`);
    if (answer === null) return out(`${shell}: ${shown} not changed (no terminal to ask on; rerun with --yes, or add the block yourself)`);
    yes = answer;
  }
  if (!yes) return out(`${shell}: ${shown} not changed`);
  writeRcBlock(file, block);
  out(`${shell}: ${shown} updated`);
};

export const runInit = async (opts: InitOptions = {}): Promise<number> => {
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const home = env.HOME || homedir();
  const engine = await loadEngine({ env });
  const dir = shimDirOf(engine, opts.dir);
  const { mode, tools } = chooseTools(engine, dir, opts);
  const result = writeShims({ engine, dir, mode, tools, ...(opts.self ? { self: opts.self } : {}) });

  if (tools.length === 0) out(`No guarded tool found on PATH (guarded: ${guardedTools(engine).join(', ')}). Use --all to shim them anyway, or --tools a,b.`);
  out(`Shims in ${dir}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed`);
  for (const p of result.prefilters) {
    let real: string;
    try {
      real = findRealBinary(p.tool, { path: env.PATH, skipDirs: [dir] });
    } catch {
      real = 'not installed yet';
    }
    out(`  ${p.tool.padEnd(12)} → ${real}${p.always ? `  (every call checked: ${p.always})` : ''}`);
  }
  for (const shell of chooseShells(opts, env, home)) await setUpShell(shell, dir, opts, env, home, out);

  const first = (env.PATH ?? '').split(':')[0];
  if (first !== dir) out(`Open a new shell for the shims to take effect (or in this one: export PATH="${dir}:$PATH"; hash -r).`);
  else if (result.written.length > 0) out('Run `hash -r` in shells that are already open, so they forget where the tools were.');
  await offerApprovalPassphrase({ engine, yes: opts.yes === true, out });
  return 0;
};
