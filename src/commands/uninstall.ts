// `blastgate uninstall`: remove the shims and the rc-file blocks `init` added; nothing else
// (config, rules, approvals and the audit log stay).
import { loadEngine } from '../engine.js';
import { shimDirOf } from '../shims/setup.js';
import { allRcFiles, removeRcBlock } from '../shims/shell-rc.js';
import { removeShimDir } from './shims.js';

export interface UninstallOptions {
  dir?: string;
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  openTty?: () => import('../confirm/tty-prompt.js').TtyPort | null;
}

export const runUninstall = async (opts: UninstallOptions = {}): Promise<number> => {
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const engine = await loadEngine({ env });
  // The rc files of the user this really is (getpwuid), not of whatever HOME says.
  const home = engine.paths.home;
  const { requirePassphrase } = await import('../trust/admin-gate.js');
  await requirePassphrase({ paths: engine.paths, action: 'blastgate uninstall', ...(opts.openTty ? { openTty: opts.openTty } : {}) });
  const dir = shimDirOf(engine, opts.dir);
  const removed = removeShimDir(dir).filter((n) => !n.startsWith('.'));
  out(removed.length ? `Removed ${removed.length} shims from ${dir}: ${removed.join(', ')}` : `No shims in ${dir}`);
  for (const file of allRcFiles(env, home)) {
    if (removeRcBlock(file)) out(`Removed the blastgate block from ${file}`);
  }
  out('Open a new shell (or run `hash -r`) so it stops looking for the shims. Config, rules and the audit log were kept.');
  // Hook entries live in the harnesses' own settings files, which uninstall does not edit.
  out('Agent hooks, if you added them, stay in the harnesses\' settings (e.g. ~/.claude/settings.json, ~/.cursor/hooks.json, ~/.gemini/settings.json, ~/.codex/hooks.json, or their project copies): remove the `blastgate hook …` entries there.');
  return 0;
};
