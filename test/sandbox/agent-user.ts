// A real non-root user for the sandbox tests (CI runs as root; the sandbox must work for a normal user).
// Small on purpose: the shared test/helpers/agent-user.ts will replace it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const AGENT_USER = 'bgt-sandbox';

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
}

/** Creates the user once (idempotent); the tests give it a temp HOME of its own each run. */
export const agentUser = (name = AGENT_USER): AgentUser => {
  const id = () => spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (id().status !== 0) {
    const r = spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name], { encoding: 'utf8' });
    if (r.status !== 0 && id().status !== 0) throw new Error(`useradd ${name}: ${r.stderr}`);
  }
  const uid = Number(id().stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  return { name, uid, gid };
};

/** Recursively hand a directory to the user. */
export const giveTo = (user: AgentUser, path: string): void => {
  chownSync(path, user.uid, user.gid);
  if (!statSync(path).isDirectory()) return;
  for (const n of readdirSync(path)) giveTo(user, join(path, n));
};

/** A temp dir owned by the user (removed by the caller). */
export const userTempDir = (user: AgentUser, prefix: string): string => {
  const dir = mkdtempSync(join('/tmp', prefix));
  giveTo(user, dir);
  return dir;
};

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs argv as the user with exactly `env` (nothing of root's leaks in), no terminal. */
export const runAs = (user: AgentUser, argv: string[], env: Record<string, string>, cwd: string, timeoutMs = 60_000): Done => {
  const r = spawnSync(argv[0]!, argv.slice(1), { uid: user.uid, gid: user.gid, env, cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
};

export const startAs = (user: AgentUser, argv: string[], env: Record<string, string>, cwd: string): { child: ChildProcess; done: Promise<Done> } => {
  const child = spawn(argv[0]!, argv.slice(1), { uid: user.uid, gid: user.gid, env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Done>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
};

/** `setpriv` argv prefix: run as the user keeping the environment (runuser would reset HOME). */
export const asUserArgv = (user: AgentUser, argv: string[]): string[] => ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', ...argv];

export { cpSync, mkdirSync, rmSync };
