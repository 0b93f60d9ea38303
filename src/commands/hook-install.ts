// `blastgate hook install|uninstall <harness> [--user|--project|--system] [--dry-run]`: write blastgate's
// pre-tool-use hook into the harness's own settings file, idempotently, with its fail-closed switch.
import { homedir } from 'node:os';
import { resolvePaths } from '../config/paths.js';
import { ConfigError, UsageError } from '../errors.js';
import { SettingsShapeError, withHook, withoutHook } from '../hooks/install/entries.js';
import { lineDiff } from '../hooks/install/line-diff.js';
import { recordInstalledHook } from '../hooks/install/record.js';
import { backupSettings, readSettings, renderSettings, writeSettingsAtomically } from '../hooks/install/settings-file.js';
import { HARNESS_NAMES, HARNESS_TARGETS, hookCommand, type HarnessTarget, type Scope } from '../hooks/install/targets.js';
import { selfEntry } from '../shims/self.js';

export interface HookInstallOptions {
  user?: boolean;
  project?: boolean;
  system?: boolean;
  dryRun?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
  out?: (line: string) => void;
  /** node + bin/blastgate.js the hook runs (tests); default: this installation. */
  self?: { node: string; bin: string };
  /** Asks for the passphrase before an uninstall (tests substitute it). */
  gate?: (action: string) => Promise<void>;
}

const stateDirOf = (opts: HookInstallOptions) => resolvePaths(opts.env ?? process.env).stateDir;

const targetOf = (harness: string): HarnessTarget => {
  if (!(HARNESS_NAMES as string[]).includes(harness)) throw new UsageError(`hook: unknown harness ${JSON.stringify(harness)} (known: ${HARNESS_NAMES.join(', ')})`);
  return HARNESS_TARGETS[harness as HarnessTarget['name']];
};

const scopeOf = (opts: HookInstallOptions): Scope => {
  const picked = (['user', 'project', 'system'] as const).filter((s) => opts[s]);
  if (picked.length > 1) throw new UsageError(`hook: choose one of --user, --project, --system (got ${picked.map((s) => `--${s}`).join(' ')})`);
  return picked[0] ?? 'user';
};

const fileFor = (target: HarnessTarget, scope: Scope, opts: HookInstallOptions): string => {
  const env = opts.env ?? process.env;
  const file = target.file(scope, env.HOME || homedir(), opts.cwd ?? process.cwd());
  if (!file) throw new UsageError(`hook: ${target.name} has no ${scope} settings location`);
  return file;
};

const edit = (file: string, change: (data: Record<string, unknown>) => Record<string, unknown>) => {
  const { data, text } = readSettings(file);
  let next: Record<string, unknown>;
  try {
    next = change(data);
  } catch (err) {
    if (err instanceof SettingsShapeError) throw new ConfigError(`${file}: ${err.message}; fix it first, nothing was written`);
    throw err;
  }
  return { changed: next !== data, before: text, after: renderSettings(next) };
};

const apply = (file: string, result: ReturnType<typeof edit>, opts: HookInstallOptions, out: (l: string) => void) => {
  for (const line of lineDiff(result.before ?? '', result.after, file)) out(line);
  if (opts.dryRun) {
    out(`dry run: ${file} not changed`);
    return false;
  }
  if (opts.system && (process.getuid?.() ?? 0) !== 0) throw new UsageError(`hook: --system writes ${file}, which needs root (run it with sudo)`);
  if (result.before !== null) out(`backup: ${backupSettings(file)}`);
  writeSettingsAtomically(file, result.after);
  out(`wrote ${file}`);
  return true;
};

/** Why: one command gives every harness the same fail-closed hook, whatever else its settings hold. */
export const runHookInstall = async (harness: string, opts: HookInstallOptions = {}): Promise<number> => {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const target = targetOf(harness);
  const file = fileFor(target, scopeOf(opts), opts);
  const self = opts.self ?? selfEntry();
  const result = edit(file, (data) => withHook(data, target, hookCommand(self.node, self.bin, target.name)));
  if (!result.changed) out(`${file} already runs blastgate's ${target.name} hook; nothing to change`);
  if (!result.changed || apply(file, result, opts, out)) recordInstalledHook(stateDirOf(opts), { harness: target.name, file }, true);
  if (target.failOpenNote) out(target.failOpenNote);
  return 0;
};

/** Why: taking the hook out weakens the gate, so it goes through the passphrase gate first. */
export const runHookUninstall = async (harness: string, opts: HookInstallOptions = {}): Promise<number> => {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const target = targetOf(harness);
  const file = fileFor(target, scopeOf(opts), opts);
  const result = edit(file, (data) => withoutHook(data, target));
  if (!result.changed) {
    out(`${file} has no blastgate ${target.name} hook; nothing to change`);
    return 0;
  }
  if (!opts.dryRun) {
    const gate = opts.gate ?? (async (action: string) => {
      const { requirePassphrase } = await import('../trust/admin-gate.js');
      await requirePassphrase({ paths: resolvePaths(opts.env ?? process.env), action });
    });
    await gate(`blastgate hook uninstall ${target.name}`);
  }
  if (apply(file, result, opts, out)) recordInstalledHook(stateDirOf(opts), { harness: target.name, file }, false);
  return 0;
};
