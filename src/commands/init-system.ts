// `blastgate init --system` (root): the gate for every user of the machine. Shims in a root-owned dir,
// first on PATH for login shells and in sudo's secure_path, a locked root-owned policy, the system
// approval key, and the append-only audit log. Idempotent; what it wrote is listed in a manifest that
// `uninstall --system` follows exactly.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readKeyFile, systemKeyPath } from '../approvals/key-store.js';
import { DEFAULT_SYSTEM_DIR } from '../config/paths.js';
import { loadEngine } from '../engine.js';
import { UsageError } from '../errors.js';
import type { ShimMode } from '../shims/rehash.js';
import { guardedTools, toolsFor, writeShims } from '../shims/setup.js';
import { installSystemLog } from '../system/audit-log.js';
import { ensureRootDir, writeRootFile } from '../system/files.js';
import { MANIFEST_FILE, PROFILE_FILE, SYSTEM_CONFIG, SYSTEM_SHIM_DIR } from '../system/layout.js';
import { readSystemManifest, sha256Of, type SystemManifest } from '../system/manifest.js';
import { installSudoers } from '../system/sudoers.js';

export interface InitSystemOptions {
  dir?: string;
  tools?: string;
  all?: boolean;
  /** Only the guarded tools installed now (default: every guarded tool, as `init`). */
  installedOnly?: boolean;
  yes?: boolean;
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  /** Sets the system passphrase on the terminal; null when there is no terminal. */
  setPassphrase?: () => Promise<boolean | null>;
}

export const profileText = (dir: string): string =>
  `# Written by \`blastgate init --system\`: guarded tools go through blastgate's shims first.
case ":$PATH:" in
  ":${dir}:"*) ;;
  *) PATH="${dir}:$PATH"; export PATH ;;
esac
`;

const LOCKED_POLICY = `# Written by \`blastgate init --system\`. locked: user and project files may only tighten.
locked: true
`;

const requireRoot = () => {
  if ((process.getuid?.() ?? 0) !== 0) throw new UsageError('init --system writes /etc and /usr/local/lib: run it as root (sudo blastgate init --system)');
};

const existingPolicy = (): string | null => ['config.yaml', 'config.yml', 'config.json'].map((f) => join(DEFAULT_SYSTEM_DIR, f)).find((f) => existsSync(f)) ?? null;

// The default prompt: `passphrase set --system` on /dev/tty; null when this process has no terminal.
const setOnTty = async (): Promise<boolean | null> => {
  const { openTty } = await import('../confirm/tty-prompt.js');
  const probe = openTty();
  if (!probe) return null;
  probe.close();
  const { runPassphrase } = await import('./passphrase.js');
  return (await runPassphrase({ action: 'set', system: true })) === 0;
};

export const runInitSystem = async (opts: InitSystemOptions = {}): Promise<number> => {
  requireRoot();
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const env = opts.env ?? process.env;
  const dir = opts.dir ?? SYSTEM_SHIM_DIR;
  const prior = readSystemManifest();
  const manifest: SystemManifest = { version: 1, files: [], dirs: [...(prior?.dirs ?? [])], shimDir: dir };
  const track = (path: string, outcome: string) => {
    manifest.files.push({ path, sha256: sha256Of(readFileSync(path)) });
    out(`${outcome.padEnd(9)} ${path}`);
  };
  const created = (dirs: string[]) => {
    for (const d of dirs) if (!manifest.dirs.includes(d)) manifest.dirs.push(d);
  };

  // 1. shims, root-owned
  created(ensureRootDir(dir));
  const engine = await loadEngine({ env });
  let mode: ShimMode = opts.installedOnly ? 'installed' : 'all';
  let tools = toolsFor(engine, dir, mode);
  if (opts.tools !== undefined) {
    const wanted = opts.tools.split(',').map((t) => t.trim()).filter(Boolean);
    const unknown = wanted.filter((t) => !guardedTools(engine).includes(t));
    if (unknown.length) throw new UsageError(`--tools: ${unknown.join(', ')} not guarded by any ruleset`);
    mode = 'list';
    tools = wanted;
  }
  const shims = writeShims({ engine, dir, mode, tools });
  out(`shims     ${dir}: ${shims.written.length} written, ${shims.unchanged.length} unchanged, ${shims.removed.length} removed (${tools.join(', ') || 'none'})`);

  // 2. login shells
  created(ensureRootDir(dirname(PROFILE_FILE)));
  track(PROFILE_FILE, writeRootFile(PROFILE_FILE, profileText(dir), 0o644));

  // 3. sudo
  const sudo = installSudoers(dir);
  if (sudo.status === 'skipped') out(`skipped   sudoers: ${sudo.note}`);
  else track(sudo.path, sudo.status);

  // 4. locked policy
  created(ensureRootDir(DEFAULT_SYSTEM_DIR));
  const policy = existingPolicy();
  if (!policy || (policy === SYSTEM_CONFIG && prior?.files.some((f) => f.path === SYSTEM_CONFIG && f.sha256 === sha256Of(readFileSync(SYSTEM_CONFIG))))) {
    track(SYSTEM_CONFIG, writeRootFile(SYSTEM_CONFIG, LOCKED_POLICY, 0o644));
  } else {
    const locked = /^\s*"?locked"?\s*:\s*true\b/m.test(readFileSync(policy, 'utf8'));
    out(`kept      ${policy} (yours${locked ? ', locked' : '; add `locked: true` so user and project files can only tighten'})`);
  }

  // 5. audit log
  const log = installSystemLog();
  created(log.created);
  out(`${log.file.padEnd(9)} /var/log/blastgate/audit.jsonl (${log.appendOnly ? 'append-only' : 'NOT append-only'})`);
  if (log.note) out(`warning   ${log.note}`);

  // 6. the manifest, then the approval key (the key stays when uninstalling: it is the admin's secret)
  writeRootFile(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
  const key = readKeyFile(systemKeyPath(engine.paths));
  if (key.file) out(`unchanged ${systemKeyPath(engine.paths)} (the system approval passphrase is set)`);
  else {
    const set = await (opts.setPassphrase ?? setOnTty)();
    if (set === null) out(`later     no terminal to type the system approval passphrase on; run: sudo blastgate passphrase set --system`);
    else if (!set) out('later     the system approval passphrase was not set; run: sudo blastgate passphrase set --system');
  }
  out(`Done. New login shells put ${dir} first on PATH; run \`blastgate doctor\` as the agent's user to check.`);
  return 0;
};
