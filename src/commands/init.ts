// `blastgate init`: shims for the guarded tools, and the shim dir first on PATH in the shell rc files.
// Idempotent: a second run rewrites nothing and asks nothing.
import { homedir } from 'node:os';
import { loadEngine, type Engine } from '../engine.js';
import { UsageError } from '../errors.js';
import type { ShimMode } from '../shims/rehash.js';
import type { SelfEntry } from '../shims/self.js';
import { guardedTools, shimDirOf, toolsFor, writeShims } from '../shims/setup.js';
import { detectShells, rcBlock, rcFilesFor, rcState, SHELLS, writeRcBlock, type ShellName } from '../shims/shell-rc.js';
import { findRealBinary } from '../stages/exec.js';
import { offerApprovalPassphrase } from './init-passphrase.js';

export interface InitOptions {
  dir?: string;
  /** Comma-separated tools to shim. */
  tools?: string;
  /** Shim every guarded tool, installed or not (the default; kept for old scripts). */
  all?: boolean;
  /** Only the guarded tools installed now (a tool installed later runs unguarded until `shims rehash`). */
  installedOnly?: boolean;
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
  // Every guarded program, installed or not: a tool installed after init is guarded from its first run.
  const mode: ShimMode = opts.installedOnly ? 'installed' : 'all';
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
    const answer = await tty.ask(`${question} [y/N]`, { timeoutMs: 120_000 });
    return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    tty.close();
  }
};

interface RcEdit {
  shell: ShellName;
  file: string;
  shown: string;
  block: string;
  state: 'current' | 'outdated' | 'missing';
  kind: 'interactive' | 'login';
}

const rcEdits = (shells: ShellName[], dir: string, env: Record<string, string | undefined>, home: string): RcEdit[] =>
  shells.flatMap((shell) =>
    rcFilesFor(shell, env, home).map((file, i) => {
      const block = rcBlock(shell, dir);
      const shown = file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
      return { shell, file, shown, block, state: rcState(file, block), kind: i === 0 && shell !== 'fish' ? ('interactive' as const) : ('login' as const) };
    }),
  );

const whoReads = (e: RcEdit) => (e.shell === 'fish' ? 'fish, every session' : `${e.shell} ${e.kind} shells${e.kind === 'login' ? ` (${e.shell} -l, ${e.shell} -lc)` : ''}`);

const reportTools = (engine: Engine, dir: string, tools: string[], env: Record<string, string | undefined>, out: (l: string) => void, always: Map<string, string | null>) => {
  for (const tool of tools) {
    let real: string;
    try {
      real = findRealBinary(tool, { path: env.PATH, skipDirs: [dir] });
    } catch {
      real = 'not installed (the shim answers "command not found" until it is)';
    }
    const every = always.get(tool);
    out(`  ${tool.padEnd(12)} → ${real}${every ? `  (every call checked: ${every})` : ''}`);
  }
};

/**
 * Nothing is written before the human agrees: the plan is shown, one question covers the shims and
 * the rc files (`--yes` answers it; `--no-shell-rc` writes only the shims and prints the blocks).
 */
export const runInit = async (opts: InitOptions = {}): Promise<number> => {
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const home = env.HOME || homedir();
  const engine = await loadEngine({ env });
  const dir = shimDirOf(engine, opts.dir);
  const { mode, tools } = chooseTools(engine, dir, opts);
  const edits = opts.shellRc === false ? [] : rcEdits(chooseShells(opts, env, home), dir, env, home);
  const pending = edits.filter((e) => e.state !== 'current');

  if (pending.length > 0 && opts.yes !== true) {
    out(`blastgate init will write ${tools.length} shims to ${dir} and put that dir first on PATH:`);
    for (const e of pending) out(`  ${e.state === 'outdated' ? 'update the block in' : 'append a block to'} ${e.shown} (read by ${whoReads(e)}):\n${e.block.replace(/^/gm, '    ').trimEnd()}`);
    const answer = await (opts.ask ?? askOnTty)(`Write the shims and edit ${pending.map((e) => e.shown).join(', ')}?`);
    if (answer !== true) {
      out(answer === null
        ? 'Nothing changed: no terminal to ask on. Rerun with --yes, or with --no-shell-rc to write only the shims and add the lines yourself.'
        : 'Nothing changed.');
      return 0;
    }
  }

  const result = writeShims({ engine, dir, mode, tools, ...(opts.self ? { self: opts.self } : {}) });
  if (tools.length === 0) out(`No guarded tool to shim (guarded: ${guardedTools(engine).join(', ')}).`);
  out(`Shims in ${dir}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed`);
  reportTools(engine, dir, tools, env, out, new Map(result.prefilters.map((p) => [p.tool, p.always])));
  if (opts.shellRc === false) {
    for (const shell of chooseShells(opts, env, home)) {
      for (const file of rcFilesFor(shell, env, home)) out(`Add to ${file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file}:\n${rcBlock(shell, dir)}`);
    }
  }
  for (const e of edits) {
    if (e.state === 'current') {
      out(`${e.shown} already puts the shims first on PATH (${whoReads(e)})`);
      continue;
    }
    writeRcBlock(e.file, e.block);
    out(`${e.shown} ${e.state === 'outdated' ? 'updated' : 'now puts the shims first on PATH'} (${whoReads(e)})`);
  }

  const first = (env.PATH ?? '').split(':')[0];
  if (first !== dir) out(`Open a new shell for the shims to take effect (or in this one: export PATH="${dir}:$PATH"; hash -r).`);
  else if (result.written.length > 0) out('Run `hash -r` in shells that are already open, so they forget where the tools were.');
  await offerApprovalPassphrase({ engine, yes: opts.yes === true, out });
  return 0;
};
