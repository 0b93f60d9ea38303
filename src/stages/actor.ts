// decide/actor: is the caller an AI agent? Env markers can only tighten; ancestry is checked
// because an agent can unset a variable but not change which process started it.
import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Actor } from '../types.js';

/** What one process looks like from outside: enough to walk up and to recognise a harness. */
export interface ProcInfo {
  ppid: number;
  /** Kernel process name (Linux `comm`, at most 15 bytes); on macOS the basename of argv[0]. */
  comm: string;
  /** Command line as far as it was read (the first few KiB on Linux; split on spaces on macOS). */
  argv: string[];
  /** Resolved executable path, when readable (Linux `/proc/<pid>/exe`). */
  exe?: string;
}

export interface DetectActorOptions {
  env: NodeJS.ProcessEnv;
  /** Process whose ancestry is walked (itself included); default `process.pid`. */
  pid?: number;
  /** Injected process reader; default reads /proc on Linux and `ps` on macOS. */
  readProc?: (pid: number) => ProcInfo | undefined;
  platform?: NodeJS.Platform;
}

export interface ActorVerdict {
  actor: Actor;
  reason: string;
}

/** One environment variable a harness sets in the commands it runs. */
export interface EnvMarker {
  name: string;
  harness: string;
  /** Required exact value; absent means any non-empty value. */
  value?: string;
  /** Where the marker was verified (or, with `verified: false`, who reports it). */
  source: string;
  verified: boolean;
}

/** Why: kept as data with its source, so the README table and the check read from one list. */
export const ENV_MARKERS: readonly EnvMarker[] = [
  { name: 'CLAUDECODE', harness: 'Claude Code', verified: true, source: 'anthropics/claude-code#531 (maintainer: added in 0.2.47); CHANGELOG 2.1.154' },
  { name: 'CLAUDE_CODE_SESSION_ID', harness: 'Claude Code', verified: true, source: 'anthropics/claude-code CHANGELOG 2.1.132 (Bash tool subprocess env)' },
  { name: 'AI_AGENT', harness: 'Claude Code; AI_AGENT convention', verified: true, source: 'anthropics/claude-code CHANGELOG 2.1.120 ("Set AI_AGENT for subprocesses")' },
  { name: 'GEMINI_CLI', harness: 'Gemini CLI', verified: true, source: 'google-gemini/gemini-cli packages/core/src/services/shellExecutionService.ts; docs/tools/shell.md' },
  { name: 'CODEX_SANDBOX_NETWORK_DISABLED', harness: 'Codex CLI', verified: true, source: 'openai/codex codex-rs/core/src/spawn.rs (set when the shell tool has no network)' },
  { name: 'CODEX_SANDBOX', harness: 'Codex CLI', verified: true, source: 'openai/codex codex-rs/core/src/spawn.rs ("seatbelt" on macOS)' },
  { name: 'CODEX_CI', harness: 'Codex CLI', verified: true, source: 'openai/codex codex-rs/core/src/unified_exec/process_manager.rs (UNIFIED_EXEC_ENV); PR #9366' },
  { name: 'CODEX_THREAD_ID', harness: 'Codex CLI', verified: true, source: 'openai/codex codex-rs/protocol/src/shell_environment.rs (populate_env step 6)' },
  { name: 'COPILOT_CLI', harness: 'GitHub Copilot CLI', verified: true, source: 'github/copilot-cli changelog.md 0.0.421' },
  { name: 'COPILOT_AGENT_SESSION_ID', harness: 'GitHub Copilot CLI', verified: true, source: 'github/copilot-cli changelog.md 1.0.29' },
  { name: 'GOOSE_TERMINAL', harness: 'goose', verified: true, source: 'aaif-goose/goose documentation/docs/guides/environment-variables.md ("Variables Controlled by goose")' },
  { name: 'AGENT_SESSION_ID', harness: 'goose', verified: true, source: 'aaif-goose/goose documentation/docs/guides/environment-variables.md' },
  { name: 'AGENT', harness: 'goose (AGENT=goose), OpenCode (AGENT=1), Amp (AGENT=amp, reported)', verified: true, source: 'goose environment-variables.md; anomalyco/opencode packages/opencode/src/index.ts' },
  { name: 'OPENCODE', harness: 'OpenCode', verified: true, source: 'anomalyco/opencode packages/opencode/src/index.ts (process.env.OPENCODE = "1")' },
  { name: 'CLINE_ACTIVE', harness: 'Cline (VS Code)', verified: true, source: 'cline/cline apps/vscode/src/hosts/vscode/terminal/VscodeTerminalRegistry.ts' },
  { name: 'OR_APP_NAME', value: 'Aider', harness: 'Aider', verified: true, source: 'Aider-AI/aider aider/llm.py sets os.environ["OR_APP_NAME"] = "Aider" (inherited by /run commands)' },
  { name: 'CURSOR_AGENT', harness: 'Cursor agent', verified: false, source: 'not in Cursor\'s own docs; reported by @vercel/detect-agent, databricks/cli#4287 and users (env | grep CURSOR)' },
];

/** How a harness process is recognised among the ancestors. */
export interface HarnessProcess {
  harness: string;
  /** Executable / script basenames (`.exe` is stripped before comparing). */
  names: readonly string[];
  /** npm packages whose install path shows up in argv or the executable path. */
  packages: readonly string[];
  /** Executable paths of self-contained installs. */
  exePatterns: readonly RegExp[];
}

/** Why: one table of what each harness looks like in `ps`, so adding a harness is one line. */
export const HARNESS_PROCESSES: readonly HarnessProcess[] = [
  // The native build may retitle itself to its version ("2.1.144"); its exe path still says claude/versions.
  { harness: 'Claude Code', names: ['claude'], packages: ['@anthropic-ai/claude-code'], exePatterns: [/\/claude\/versions\/[^/]+$/] },
  { harness: 'Gemini CLI', names: ['gemini'], packages: ['@google/gemini-cli'], exePatterns: [] },
  { harness: 'Codex CLI', names: ['codex'], packages: ['@openai/codex'], exePatterns: [] },
  { harness: 'Cursor agent', names: ['cursor-agent'], packages: [], exePatterns: [/\/cursor-agent\//] },
  { harness: 'GitHub Copilot CLI', names: ['copilot'], packages: ['@github/copilot'], exePatterns: [] },
  { harness: 'Aider', names: ['aider'], packages: [], exePatterns: [] },
  { harness: 'OpenCode', names: ['opencode'], packages: ['opencode-ai'], exePatterns: [] },
  { harness: 'goose', names: ['goose', 'goosed'], packages: [], exePatterns: [] },
  { harness: 'Cline', names: ['cline'], packages: ['@cline/cli'], exePatterns: [] },
  { harness: 'Amp', names: ['amp'], packages: ['@sourcegraph/amp', '@ampcode/cli'], exePatterns: [] },
];

/** Bound on the parent walk; a real chain is a handful of processes deep. */
export const MAX_ANCESTRY_STEPS = 64;
/** Bytes of /proc/<pid>/cmdline read: enough for argv[0..3], never a whole huge command line. */
const CMDLINE_BYTES = 4096;
/** argv elements examined for a harness package path. */
const ARGV_SCANNED = 4;
const INTERPRETERS = /^(node|nodejs|bun|deno|python[0-9.]*|pypy[0-9.]*|sh|bash|dash|zsh)$/;

/** Why: the decide stage needs to know whether an AI agent, not a person, is running the command. */
export function detectActor(opts: DetectActorOptions): ActorVerdict {
  const notes: string[] = [];
  const claimed = opts.env.BLASTGATE_ACTOR;
  if (claimed !== undefined && claimed !== '' && claimed !== 'agent') {
    notes.push(`BLASTGATE_ACTOR=${show(claimed)} ignored (${claimed === 'human' ? 'nothing can claim human' : "only 'agent' is accepted"})`);
  }
  const withNotes = (actor: Actor, reason: string): ActorVerdict => ({ actor, reason: [reason, ...notes].join('; ') });

  const marker = findEnvMarker(opts.env);
  if (marker) return withNotes('agent', `${marker.name}=${show(opts.env[marker.name] ?? '')} in environment (${marker.harness})`);
  if (claimed === 'agent') return withNotes('agent', 'BLASTGATE_ACTOR=agent in environment');

  const platform = opts.platform ?? process.platform;
  const readProc = opts.readProc ?? defaultReader(platform);
  if (!readProc) return withNotes('human', `no agent marker in environment; process ancestry not checked on ${platform}`);

  const walk = walkAncestry(opts.pid ?? process.pid, readProc);
  if (walk.found) return withNotes('agent', walk.found);
  const tail = walk.brokenAt === undefined ? '' : ` (could not read process ${walk.brokenAt})`;
  return withNotes('human', `no agent marker in environment; no agent harness among ${walk.seen} processes${tail}`);
}

function findEnvMarker(env: NodeJS.ProcessEnv): EnvMarker | undefined {
  return ENV_MARKERS.find((m) => {
    const v = env[m.name];
    return v !== undefined && v !== '' && (m.value === undefined || v === m.value);
  });
}

interface Walk {
  found?: string;
  seen: number;
  brokenAt?: number;
}

function walkAncestry(start: number, readProc: (pid: number) => ProcInfo | undefined): Walk {
  let pid = start;
  let seen = 0;
  for (let step = 0; step < MAX_ANCESTRY_STEPS; step++) {
    const info = readProc(pid);
    if (!info) return { seen, brokenAt: pid };
    seen++;
    const hit = recogniseHarness(info);
    if (hit) return { found: `${pid === start ? 'process' : 'ancestor process'} ${pid} is ${hit}`, seen };
    // pid 1 is checked (in a container the harness is often pid 1) but never walked past.
    if (pid <= 1 || info.ppid <= 0 || info.ppid === pid) break;
    pid = info.ppid;
  }
  return { seen };
}

// Lookup tables built once; plain loops below keep the first (cold, unoptimised) call cheap.
const HARNESS_BY_NAME = new Map<string, string>();
const HARNESS_BY_PACKAGE = new Map<string, string>();
for (const h of HARNESS_PROCESSES) {
  for (const n of h.names) HARNESS_BY_NAME.set(n, h.harness);
  for (const p of h.packages) HARNESS_BY_PACKAGE.set(p, h.harness);
}

/** Why: one place decides whether a process is a harness, given what the OS told us about it. */
export function recogniseHarness(info: ProcInfo): string | undefined {
  const names = candidateNames(info);
  for (const name of names) {
    const harness = HARNESS_BY_NAME.get(name);
    if (harness) return `${name} (${harness})`;
  }
  const scanned = Math.min(info.argv.length, ARGV_SCANNED);
  for (const [pkg, harness] of HARNESS_BY_PACKAGE) {
    let hit = info.exe !== undefined && info.exe.includes(`/${pkg}/`);
    for (let i = 0; i < scanned && !hit; i++) hit = mentionsPackage(info.argv[i] as string, pkg);
    if (hit) return `${names[0] ?? 'a process'} running ${pkg} (${harness})`;
  }
  if (info.exe !== undefined) {
    for (const h of HARNESS_PROCESSES) {
      for (const re of h.exePatterns) if (re.test(info.exe)) return `${info.exe} (${h.harness})`;
    }
  }
  return undefined;
}

function candidateNames(info: ProcInfo): string[] {
  const names: string[] = [];
  const add = (n: string): void => {
    if (n !== '') names.push(n.endsWith('.exe') ? n.slice(0, -4) : n);
  };
  add(info.comm);
  const arg0 = info.argv[0];
  if (arg0 !== undefined) {
    const base = basename(arg0);
    add(base);
    // `node …/bin/claude`, `python3 ~/.local/bin/aider`, `python3 -m aider`: the script is the program.
    const arg1 = info.argv[1];
    if (arg1 !== undefined && INTERPRETERS.test(base)) {
      if (!arg1.startsWith('-')) add(basename(arg1));
      else if (arg1 === '-m' && info.argv[2] !== undefined) add(info.argv[2]);
    }
  }
  return names;
}

function mentionsPackage(arg: string, pkg: string): boolean {
  return arg === pkg || arg.startsWith(`${pkg}@`) || arg.includes(`/${pkg}/`);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function show(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}

function defaultReader(platform: NodeJS.Platform): ((pid: number) => ProcInfo | undefined) | undefined {
  if (platform === 'linux') return readProcLinux;
  if (platform === 'darwin') return makeDarwinReader();
  return undefined;
}

const cmdlineBuf = Buffer.allocUnsafe(CMDLINE_BYTES);

/** Why: the Linux reader, exported so tests and benchmarks can call it on real processes. */
export function readProcLinux(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readHead(`/proc/${pid}/stat`, 1024);
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: it runs from the first '(' to the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  if (!Number.isInteger(ppid)) return undefined;
  let argv: string[] = [];
  try {
    argv = readHead(`/proc/${pid}/cmdline`, CMDLINE_BYTES).split('\0').filter((a) => a !== '');
  } catch {
    // kernel threads and hidepid mounts: no argv, comm still identifies the process
  }
  let exe: string | undefined;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    // another user's process: exe is not readable, argv and comm still are
  }
  return { ppid, comm: stat.slice(open + 1, close), argv, exe };
}

function readHead(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, cmdlineBuf, 0, Math.min(max, CMDLINE_BYTES), 0);
    return cmdlineBuf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** Why: macOS has no /proc; one `ps` call lists every process, then the walk is in memory. */
export function makeDarwinReader(): (pid: number) => ProcInfo | undefined {
  let table: Map<number, ProcInfo> | undefined;
  return (pid) => {
    if (!table) {
      try {
        // Loaded here, not at the top: child_process costs ≈3 ms to load and Linux never needs it.
        // (createRequire, not process.getBuiltinModule: that needs Node 20.16 and we support 20.5.)
        const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
        table = parsePsTable(execFileSync('ps', ['-axww', '-o', 'pid=,ppid=,command='], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }));
      } catch {
        table = new Map();
      }
    }
    return table.get(pid);
  };
}

/** Why: parses `ps -o pid=,ppid=,command=` output; argv is split on spaces (ps cannot do better). */
export function parsePsTable(text: string): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const argv = (m[3] ?? '').trim().split(/\s+/).filter((a) => a !== '');
    table.set(Number(m[1]), { ppid: Number(m[2]), comm: basename(argv[0] ?? ''), argv });
  }
  return table;
}
