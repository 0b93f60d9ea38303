// Test sandbox for the confirmation/approval/audit tests: temp XDG dirs and system dir per test, a fake
// tool that records whether it ran, real processes, and tmux for a real terminal. Never touches ~/.config.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile, type KeyFile } from '../../src/approvals/keys.js';
import { resolvePaths, type Paths } from '../../src/config/paths.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fakeBin = join(repoRoot, 'test/fixtures/confirm-bin');
/** The passphrase the tests' "human" knows. */
export const PASSPHRASE = 'correct horse battery staple';

export interface Sandbox {
  root: string;
  work: string;
  marker: string;
  env: Record<string, string>;
  paths: Paths;
  /** Write the user config (YAML). */
  config(yaml: string): void;
  /** Set the approval passphrase the way `passphrase set` would (user key). */
  setPassphrase(pass?: string, where?: 'user' | 'system'): KeyFile;
  /** Lines the fake tool wrote: each run appends "ran" and then its argv, one word per line. */
  runs(): string[][];
  cleanup(): void;
}

export const makeSandbox = (): Sandbox => {
  const root = mkdtempSync(join(tmpdir(), 'bg-confirm-'));
  const work = join(root, 'work');
  for (const d of ['cfg/blastgate', 'state', 'sys', 'home', 'work']) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
  const marker = join(root, 'ran');
  const env: Record<string, string> = {
    PATH: `${fakeBin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'cfg'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_DATA_HOME: join(root, 'data'),
    BLASTGATE_SYSTEM_DIR: join(root, 'sys'),
    FAKE_RAN_MARKER: marker,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
  };
  const paths = resolvePaths(env);
  return {
    root,
    work,
    marker,
    env,
    paths,
    config: (yaml) => writeFileSync(join(root, 'cfg/blastgate/config.yaml'), yaml),
    setPassphrase: (pass = PASSPHRASE, where = 'user') => {
      const file = createKeyFile(pass);
      writeKeyFile(join(where === 'user' ? paths.configDir : paths.systemDir, 'approval-key.json'), file, where);
      return file;
    },
    runs: () => {
      if (!existsSync(marker)) return [];
      const out: string[][] = [];
      for (const line of readFileSync(marker, 'utf8').split('\n').slice(0, -1)) {
        if (line === 'ran') out.push([]);
        else out[out.length - 1]?.push(line);
      }
      return out;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
};

const builtBin = join(repoRoot, 'bin/blastgate.js');

// The built CLI starts in ~0.3 s; from source through tsx it took ~2.7 s per process on this machine,
// most of these tests' time. `npm test` builds first; a dist older than src/ would test stale code, so say so.
let checkedBuild = false;
const newestSource = (dir: string): number =>
  Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
const assertBuilt = (): void => {
  if (checkedBuild) return;
  const dist = join(repoRoot, 'dist/cli.js');
  if (!existsSync(dist)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (statSync(dist).mtimeMs < Math.max(newestSource(join(repoRoot, 'src')), newestSource(join(repoRoot, 'rulesets')))) {
    throw new Error('dist/ is older than src/ or rulesets/: run `npm run build` first');
  }
  checkedBuild = true;
};

/** argv of a blastgate CLI invocation (the built bin/blastgate.js, checked to be current). */
export const blastgateArgv = (args: string[]): string[] => {
  assertBuilt();
  return [process.execPath, builtBin, ...args];
};

/** What generated shims exec in these tests: the same built bin/blastgate.js `init` would use. */
export const blastgateFromSource = builtBin;

/**
 * Install REAL shims (the same rehash `blastgate init` uses) for dropdb into the sandbox and put
 * them first on PATH; the shim execs `node bin/blastgate.js run -- dropdb …` for the full check.
 */
export const installShims = async (box: Sandbox): Promise<string> => {
  const { rehash } = await import('../../src/shims/rehash.js');
  const { loadRuleIndex } = await import('../../src/rulesets/registry.js');
  const dir = join(box.root, 'shims');
  const index = await loadRuleIndex({ paths: box.paths, cwd: box.work });
  rehash({
    dir,
    paths: box.paths,
    index,
    tools: ['dropdb'],
    mode: 'list',
    self: { node: process.execPath, bin: blastgateFromSource, versionFiles: [] },
    configHome: box.env.XDG_CONFIG_HOME!,
  });
  box.env.PATH = `${dir}:${box.env.PATH}`;
  return dir;
};

/** argv that gates a command: `blastgate run -- <argv>` (what every shim execs). */
export const gateArgv = (argv: string[]): string[] => blastgateArgv(['run', '--', ...argv]);

const shq = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
export const shellLine = (argv: string[]) => argv.map(shq).join(' ');

export interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run without any terminal: `setsid` detaches from ours, stdin is /dev/null. */
export const runDetached = (argv: string[], env: Record<string, string>, cwd: string, timeoutMs = 60_000): Done => {
  const r = spawnSync('setsid', ['-w', ...argv], { env, cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** Same, in the background: the test keeps going while it waits for an approval. */
export const startDetached = (argv: string[], env: Record<string, string>, cwd: string): { child: ChildProcess; done: Promise<Done> } => {
  const child = spawn('setsid', ['-w', ...argv], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Done>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const waitFor = async <T>(probe: () => T | null | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

/** A real terminal: a private tmux server running one command in a pane. */
export class Terminal {
  private readonly sock: string;
  readonly rcFile: string;

  constructor(readonly dir: string, argv: string[], env: Record<string, string>, cwd: string, opts: { pipeFrom?: string } = {}) {
    this.sock = join(dir, `tmux-${Math.random().toString(36).slice(2, 8)}.sock`);
    this.rcFile = join(dir, `rc-${Math.random().toString(36).slice(2, 8)}`);
    const envWords = Object.entries(env).map(([k, v]) => shq(`${k}=${v}`)).join(' ');
    const cmd = `${opts.pipeFrom ? `${opts.pipeFrom} | ` : ''}env -i ${envWords} ${shellLine(argv)}`;
    const script = join(dir, `term-${Math.random().toString(36).slice(2, 8)}.sh`);
    // The exit status lands in a file; the pane then idles so its screen can still be captured.
    writeFileSync(script, `#!/bin/sh\ncd ${shq(cwd)}\n${cmd}\necho "$?" > ${shq(this.rcFile)}.tmp && mv ${shq(this.rcFile)}.tmp ${shq(this.rcFile)}\nsleep 300\n`, { mode: 0o755 });
    const r = spawnSync('tmux', ['-S', this.sock, '-f', '/dev/null', 'new-session', '-d', '-x', '180', '-y', '50', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux failed: ${r.stderr}`);
  }

  private tmux(args: string[]): string {
    const r = spawnSync('tmux', ['-S', this.sock, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-t', '0']);
  }

  /** With colours (escape sequences kept), for the README capture. */
  screenWithColour(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-J', '-t', '0']);
  }

  type(text: string): void {
    this.tmux(['send-keys', '-t', '0', '-l', text]);
  }

  key(...keys: string[]): void {
    this.tmux(['send-keys', '-t', '0', ...keys]);
  }

  async waitForScreen(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(() => {
        last = this.screen();
        return pattern.test(last) ? last : null;
      }, timeoutMs, `screen to match ${pattern}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- screen ---\n${last}`);
    }
  }

  /** Wait for a prompt, then type the answer and Enter; returns the screen as the prompt showed it. */
  async answer(prompt: RegExp, text: string): Promise<string> {
    const shown = await this.waitForScreen(prompt);
    this.type(text);
    this.key('Enter');
    return shown;
  }

  async exitCode(timeoutMs = 30_000): Promise<number> {
    const text = await waitFor(() => (existsSync(this.rcFile) ? readFileSync(this.rcFile, 'utf8') : null), timeoutMs, 'the command to exit');
    return Number(text.trim());
  }

  kill(): void {
    spawnSync('tmux', ['-S', this.sock, 'kill-server']);
  }
}
