// An attacker with the user's own uid: a real non-root user (created once, idempotently) running commands
// through `runuser`, inside a private mount namespace where a temp dir of root-owned files is bound at
// /etc/blastgate and a fresh temp home is bound over the user's home. The host's /etc is never touched:
// /etc is an overlay (writes go to a temp upper dir) that only exists inside the namespace.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI (npm run build); the agent user reads it from the worktree. */
export const CLI = process.env.BGT_CLI ?? join(REPO, 'bin', 'blastgate.js');

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
  /** The home in the password database (a fresh temp dir is bound over it in each world). */
  home: string;
}

/** Create the user once (safe when several test files race to do it). */
export const ensureAgentUser = (name = 'bgt-trust'): AgentUser => {
  const look = () => spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.trim();
  let entry = look();
  if (!entry) {
    const r = spawnSync('useradd', ['--create-home', '--shell', '/bin/bash', '--user-group', name], { encoding: 'utf8' });
    // 9: already exists (another file won the race)
    if (r.status !== 0 && r.status !== 9) throw new Error(`useradd ${name}: ${r.stderr}`);
    entry = look();
  }
  const [, , uid, gid, , home] = entry.split(':');
  mkdirSync(home!, { recursive: true });
  return { name, uid: Number(uid), gid: Number(gid), home: home! };
};

export interface AgentRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AgentWorld {
  user: AgentUser;
  root: string;
  /** Root-owned dir bound at /etc/blastgate inside the namespace (write with `system()`). */
  systemDir: string;
  /** The agent's home as seen from outside the namespace (bound over `user.home` inside). */
  home: string;
  /** Write a root-owned, 0644 file under the system dir. */
  system(rel: string, text: string): void;
  /** Write a file the agent owns, at a path relative to its home. */
  own(rel: string, text: string): string;
  /** A dir the agent owns, outside its home (e.g. /agent/dir in the attacks). */
  agentDir(name: string): string;
  /** Run a bash script as the agent, with exactly this environment (plus PATH, HOME, USER). */
  run(script: string, opts?: { env?: Record<string, string>; timeoutMs?: number; cwd?: string }): AgentRun;
  cleanup(): void;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const agentWorld = (name = 'bgt-trust'): AgentWorld => {
  const user = ensureAgentUser(name);
  const root = mkdtempSync(join(tmpdir(), 'bg-agent-'));
  chmodSync(root, 0o755);
  const systemDir = join(root, 'system');
  const home = join(root, 'home');
  for (const d of [systemDir, join(root, 'ov', 'up'), join(root, 'ov', 'work')]) mkdirSync(d, { recursive: true, mode: 0o755 });
  chmodSync(join(root, 'ov', 'up'), 0o755);
  mkdirSync(home, { mode: 0o755 });
  chownSync(home, user.uid, user.gid);
  const chownUp = (path: string, stop: string) => {
    for (let p = path; p.startsWith(stop) && p !== stop; p = dirname(p)) chownSync(p, user.uid, user.gid);
  };
  return {
    user,
    root,
    systemDir,
    home,
    system: (rel, text) => {
      const file = join(systemDir, rel);
      mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
      writeFileSync(file, text, { mode: 0o644 });
      chmodSync(file, 0o644);
    },
    own: (rel, text) => {
      const file = join(home, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      chownUp(file, home);
      return join(user.home, rel);
    },
    agentDir: (dirName) => {
      const dir = join(root, 'agent', dirName);
      mkdirSync(dir, { recursive: true });
      chownSync(join(root, 'agent'), user.uid, user.gid);
      chownUp(dir, join(root, 'agent'));
      return dir;
    },
    run: (script, opts = {}) => {
      const env = {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: user.home,
        USER: user.name,
        LOGNAME: user.name,
        LANG: 'C.UTF-8',
        NO_COLOR: '1',
        CHECKPOINT_DISABLE: '1',
        BG: `${process.execPath} ${CLI}`,
        ...opts.env,
      };
      const envArgs = Object.entries(env).map(([k, v]) => shq(`${k}=${v}`)).join(' ');
      const cwd = opts.cwd ?? user.home;
      // setsid: no controlling terminal, as an agent's tool call has none (the attacks make their own with `script`).
      const inner = [
        'set -e',
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${shq(join(root, 'ov', 'up'))},workdir=${shq(join(root, 'ov', 'work'))} /etc`,
        'mkdir -p /etc/blastgate',
        `mount --bind ${shq(systemDir)} /etc/blastgate`,
        `mount --bind ${shq(home)} ${shq(user.home)}`,
        `cd ${shq(cwd)}`,
        `exec runuser -u ${shq(user.name)} -- setsid -w env -i ${envArgs} bash -c ${shq(script)}`,
      ].join('\n');
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', inner], { encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
};
