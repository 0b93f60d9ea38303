// `blastgate doctor [--json]`: is the gate really in front of the tools? Each problem with its fix.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { trustedKeys } from '../approvals/key-store.js';
import { loadEngine, type Engine } from '../engine.js';
import { homedir } from 'node:os';
import { readManifest } from '../shims/rehash.js';
import { guardedTools, shimDirOf } from '../shims/setup.js';
import { rcBlock, rcFilesFor, rcState, SHELLS } from '../shims/shell-rc.js';
import { realBinaryCandidates } from '../stages/exec.js';
import { shimStatuses } from './shims.js';
import { geminiAskCheck } from '../hooks/gemini-version.js';

export type CheckStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export interface DoctorOptions {
  dir?: string;
  json?: boolean;
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  /** `doctor --sandbox`: check the sandbox instead of the shims. */
  sandbox?: boolean;
  /** Where sudo's configuration is read from (tests). */
  sudoers?: string;
}

/** The file the confirmation issue writes when the approval passphrase is set. */
export const APPROVAL_KEY_FILE = 'approval-key.json';

const real = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};

const pathChecks = (engine: Engine, dir: string, tools: string[]): Check[] => {
  const entries = (engine.env.PATH ?? '').split(':');
  const shimReal = real(dir);
  const at = entries.findIndex((e) => e.startsWith('/') && shimReal !== null && real(e) === shimReal);
  const exportLine = `export PATH="${dir}:$PATH"`;
  if (at < 0) {
    return [{ id: 'path', status: 'fail', message: `${dir} is not on PATH: every guarded tool runs unchecked`, fix: `open a new shell after \`blastgate init\`, or: ${exportLine}; hash -r` }];
  }
  const checks: Check[] = [];
  for (const tool of tools) {
    const [first] = realBinaryCandidates(tool, { path: engine.env.PATH, skipDirs: [dir] });
    if (!first) continue;
    const toolAt = entries.findIndex((e) => e.startsWith('/') && real(join(e, tool)) === real(first));
    if (toolAt >= 0 && toolAt < at) {
      checks.push({ id: `path:${tool}`, status: 'fail', message: `${dirname(first)} comes before ${dir} on PATH: \`${tool}\` runs ${first} unchecked`, fix: `put the shim dir first: ${exportLine} (at the end of your shell rc file)` });
    }
  }
  if (checks.length === 0) checks.push({ id: 'path', status: 'ok', message: `${dir} is on PATH before every guarded tool` });
  return checks;
};

// One line for all current shims and one for all outdated ones; a missing or broken shim each its own.
const shimChecks = (engine: Engine, dir: string): Check[] => {
  const statuses = shimStatuses(engine, dir);
  const out: Check[] = [];
  const current = statuses.filter((s) => s.shim === 'current' && (statSync(join(dir, s.tool)).mode & 0o111) !== 0);
  const outdated = statuses.filter((s) => s.shim === 'outdated');
  for (const s of statuses.filter((x) => x.shim === 'missing' || (x.shim === 'current' && !current.includes(x)))) {
    out.push({ id: `shim:${s.tool}`, status: 'fail', message: `the ${s.tool} shim is ${s.shim === 'missing' ? 'missing' : 'not executable'}`, fix: 'blastgate shims rehash' });
  }
  if (outdated.length) {
    out.push({ id: 'shims:outdated', status: 'warn', message: `out of date (rules or blastgate changed since they were written), so every call takes the slow full check: ${outdated.map((s) => s.tool).join(', ')}`, fix: 'blastgate shims rehash' });
  }
  const slow = current.filter((s) => !s.fastPath);
  if (current.length) out.push({ id: 'shims:current', status: 'ok', message: `current: ${current.map((s) => s.tool).join(', ')}${slow.length ? ` (every call checked: ${slow.map((s) => `${s.tool}: ${s.note}`).join('; ')})` : ''}` });
  for (const s of statuses) {
    out.push(s.real
      ? { id: `real:${s.tool}`, status: 'ok', message: `${s.tool} resolves to ${s.real}` }
      : { id: `real:${s.tool}`, status: 'warn', message: `${s.tool}: no real binary on PATH after the shim dir (the shim exits 127)`, fix: `install ${s.tool}, or \`blastgate shims remove ${s.tool}\`` });
  }
  return out;
};

/** `Defaults secure_path=…` from sudoers and its includedir, the last one winning. */
export const sudoSecurePath = (sudoers: string): string | null | 'unreadable' => {
  const files = [sudoers];
  let text: string;
  try {
    text = readFileSync(sudoers, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
  }
  for (const m of text.matchAll(/^[@#]includedir\s+(\S+)/gm)) {
    try {
      for (const f of readdirSync(m[1]!).sort()) if (!f.includes('.') && !f.endsWith('~')) files.push(join(m[1]!, f));
    } catch {
      // unreadable include dir: judge from what we have
    }
  }
  let found: string | null = null;
  for (const file of files) {
    let body = '';
    try {
      body = file === sudoers ? text : readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of body.matchAll(/^\s*Defaults\b[^\n]*?\bsecure_path\s*=\s*"?([^"\n]+)"?/gm)) found = m[1]!.trim();
  }
  return found;
};

const sudoCheck = (engine: Engine, dir: string, sudoers: string): Check => {
  const hasSudo = (engine.env.PATH ?? '').split(':').some((d) => d.startsWith('/') && existsSync(join(d, 'sudo')));
  if (!hasSudo) return { id: 'sudo', status: 'ok', message: 'sudo is not installed' };
  const secure = sudoSecurePath(sudoers);
  if (secure === 'unreadable') return { id: 'sudo', status: 'info', message: `cannot read ${sudoers} to see whether sudo skips the shims`, fix: 'run `sudo blastgate doctor` to check' };
  if (secure === null) return { id: 'sudo', status: 'ok', message: 'sudo keeps the caller\'s PATH (no secure_path)' };
  if (secure.split(':').some((d) => real(d) !== null && real(d) === real(dir))) return { id: 'sudo', status: 'ok', message: 'sudo\'s secure_path includes the shims' };
  return {
    id: 'sudo',
    status: 'warn',
    message: `sudo's secure_path (${secure}) skips the shims: \`sudo terraform destroy\` runs unchecked`,
    fix: `add ${dir} to the front of secure_path (visudo), or gate agents with \`blastgate hook\`, which sees through sudo`,
  };
};

// A shell started before the shims existed may have cached where the tools were (bash/zsh `hash`).
const hashCheck = (dir: string): Check | null => {
  const manifest = readManifest(dir);
  if (!manifest) return null;
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!['bash', 'zsh', 'sh', 'dash', 'ksh'].includes(comm)) return null;
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    const started = (btime + startTicks / 100) * 1000;
    if (!(started < Date.parse(manifest.generated))) return null;
    return { id: 'hash', status: 'warn', message: `this ${comm} started before the shims were written and may still remember the tools' old locations`, fix: 'run `hash -r` in it (or open a new shell)' };
  } catch {
    return null;
  }
};

const permissionChecks = (engine: Engine, dir: string): Check[] => {
  const checks: Check[] = [];
  const uid = process.getuid?.() ?? 0;
  const dirs: Array<[string, string]> = [[engine.paths.configDir, 'config'], [engine.paths.stateDir, 'state (approvals, audit log)'], [dir, 'shim']];
  for (const [d, what] of dirs) {
    let st;
    try {
      st = statSync(d);
    } catch {
      continue;
    }
    // A root-owned dir nobody else can write (the system install) is safer than one of the user's own.
    if (st.uid !== uid && !(st.uid === 0 && !(st.mode & 0o022))) checks.push({ id: `perm:${basename(d)}`, status: 'fail', message: `the ${what} dir ${d} belongs to uid ${st.uid}, not you`, fix: `chown -R ${uid} ${d}` });
    else if (st.mode & 0o022) checks.push({ id: `perm:${basename(d)}`, status: 'fail', message: `the ${what} dir ${d} is writable by group or others: they could change what blastgate allows`, fix: `chmod go-w ${d}` });
  }
  try {
    const st = statSync(engine.paths.systemDir);
    if (st.uid !== 0 || st.mode & 0o022) checks.push({ id: 'perm:system', status: 'warn', message: `the system dir ${engine.paths.systemDir} is not root-owned and write-protected: its policy cannot loosen or lock anything`, fix: `chown root ${engine.paths.systemDir} && chmod go-w ${engine.paths.systemDir}` });
  } catch {
    // no system policy: nothing to protect
  }
  if (checks.length === 0) checks.push({ id: 'perm', status: 'ok', message: 'config, state and shim dirs are yours and not writable by others' });
  return checks;
};

// A guarded tool on PATH with no shim in front of it runs unchecked (installed after an `init --tools …`).
const unshimmedChecks = (engine: Engine, dir: string, shimmed: string[], mode: string): Check[] => {
  const have = new Set(shimmed);
  const missing = guardedTools(engine)
    .filter((t) => !have.has(t))
    .map((t) => ({ tool: t, at: realBinaryCandidates(t, { path: engine.env.PATH, skipDirs: [dir] })[0] }))
    .filter((x): x is { tool: string; at: string } => x.at !== undefined);
  if (missing.length === 0) return [{ id: 'unshimmed', status: 'ok', message: 'every guarded tool on PATH has a shim' }];
  const tools = missing.map((m) => m.tool);
  return missing.map((m) => ({
    id: `unshimmed:${m.tool}`,
    // Tools chosen with --tools: the others were left out on purpose, so a warning; otherwise a failure.
    status: mode === 'list' ? ('warn' as const) : ('fail' as const),
    message: `${m.tool} is on PATH (${m.at}) without a shim: it runs unchecked`,
    fix: mode === 'list' ? `blastgate init --tools ${[...shimmed, ...tools].join(',')} (or plain \`blastgate init\` for every guarded tool)` : 'blastgate shims rehash',
  }));
};

// The shims exec node and bin/blastgate.js by absolute path: a clone moved or deleted leaves them refusing everything.
const entryChecks = (node: string, bin: string): Check[] => {
  const gone = [node, bin].filter((f) => !existsSync(f));
  if (gone.length === 0) return [];
  return [{
    id: 'shims:entry',
    status: 'fail',
    message: `the shims call ${gone.join(' and ')}, which no longer exists (blastgate moved or deleted?): every command that needs the full check is refused (77)`,
    fix: 'run `blastgate shims rehash` with the blastgate you use now (or `blastgate init`)',
  }];
};

/** Which shells start with the shims on PATH: what init wrote where, and what inherits PATH. */
const shellChecks = (engine: Engine, dir: string): Check[] => {
  const env = engine.env;
  const home = env.HOME || homedir();
  const shown = (f: string) => (f.startsWith(`${home}/`) ? `~${f.slice(home.length)}` : f);
  const sees: string[] = [];
  const blind: string[] = [];
  for (const shell of SHELLS) {
    const files = rcFilesFor(shell, env, home);
    files.forEach((file, i) => {
      const label = shell === 'fish' ? 'fish' : `${shell} ${i === 0 ? 'interactive' : 'login (-l)'}`;
      (rcState(file, rcBlock(shell, dir)) === 'missing' ? blind : sees).push(`${label} (${shown(file)})`);
    });
  }
  const checks: Check[] = [];
  if (sees.length) checks.push({ id: 'shells', status: 'ok', message: `start with the shims on PATH: ${sees.join(', ')}; scripts and \`bash -c\` / \`sh -c\` inherit the PATH of whatever started them` });
  if (blind.length) {
    checks.push({
      id: 'shells:missing',
      status: sees.length ? 'info' : 'warn',
      message: `do not put the shims on PATH themselves: ${blind.join(', ')} — a session started there (an agent's \`bash -lc\`, say) runs the tools unchecked unless it inherits the PATH`,
      fix: 'blastgate init (or add its block to those files)',
    });
  }
  return checks;
};

// The same key lookup the gate uses (a system key counts; a key under $XDG_CONFIG_HOME does not).
const passphraseCheck = (engine: Engine): Check =>
  trustedKeys(engine.paths).keys.length > 0
    ? { id: 'passphrase', status: 'ok', message: 'the approval passphrase is set' }
    : { id: 'passphrase', status: 'warn', message: 'no approval passphrase: commands gated for an agent cannot be approved with `blastgate approve`', fix: 'blastgate passphrase set' };

export const doctorChecks = async (opts: DoctorOptions = {}): Promise<{ dir: string; checks: Check[] }> => {
  const engine = await loadEngine({ env: opts.env ?? process.env });
  const system = await import('../system/doctor-checks.js');
  const dir = shimDirOf(engine, opts.dir ?? system.systemShimDir());
  const manifest = readManifest(dir);
  const checks: Check[] = [];
  if (!manifest) {
    checks.push({ id: 'shims', status: 'fail', message: `no shims in ${dir}`, fix: `blastgate init${opts.dir ? ` --dir ${dir}` : ''}` });
  } else {
    checks.push({ id: 'shims', status: 'ok', message: `${manifest.tools.length} shims in ${dir}: ${manifest.tools.join(', ') || 'none'}` });
    checks.push(...entryChecks(manifest.node, manifest.bin), ...pathChecks(engine, dir, manifest.tools), ...shimChecks(engine, dir), ...unshimmedChecks(engine, dir, manifest.tools, manifest.mode), ...shellChecks(engine, dir));
    const hash = hashCheck(dir);
    if (hash) checks.push(hash);
  }
  checks.push(sudoCheck(engine, dir, opts.sudoers ?? '/etc/sudoers'), ...permissionChecks(engine, dir), passphraseCheck(engine));
  const gemini = geminiAskCheck(engine.env, engine.env.HOME ?? '');
  if (gemini) checks.push({ id: 'hook:gemini', ...gemini });
  checks.push(...(await import('../trust/doctor-checks.js')).trustChecks(engine, dir));
  const { hookChecks } = await import('../hooks/install/doctor-checks.js');
  checks.push(...hookChecks({ env: engine.env, cwd: engine.cwd, stateDir: engine.paths.stateDir }));
  checks.push(...system.systemChecks(engine));
  return { dir, checks };
};

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', info: 'info', warn: 'warn', fail: 'FAIL' };

/** Exit 0 when nothing failed (warnings allowed), 1 otherwise. */
export const runDoctor = async (opts: DoctorOptions = {}): Promise<number> => {
  const { dir, checks } = opts.sandbox
    ? { dir: null, checks: await (await import('../sandbox/doctor.js')).sandboxChecks({ env: opts.env }) }
    : await doctorChecks(opts);
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const failed = checks.some((c) => c.status === 'fail');
  if (opts.json) out(JSON.stringify({ ok: !failed, dir, checks }));
  else {
    for (const c of checks) {
      out(`${MARK[c.status]}  ${c.message}`);
      if (c.fix && c.status !== 'ok') out(`      fix: ${c.fix}`);
    }
    out(failed ? 'Something is wrong: see FAIL lines above.' : 'No problems found.');
  }
  return failed ? 1 : 0;
};
