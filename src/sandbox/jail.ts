// The jail: one interface (start, cover binaries, mask files, route egress) so bubblewrap can later be
// replaced by uid separation in a container or Seatbelt on macOS. This file only turns a JailSpec into
// bubblewrap's arguments; what to cover and mask is decided by the caller (src/commands/sandbox.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { SOCKET_DIR_INSIDE } from './socket-path.js';

export interface JailSpec {
  command: string[];
  /** The agent's working directory (writable). */
  workspace: string;
  /** Other writable paths (the profile's state dirs, the jail's private TMPDIR). */
  writable: string[];
  /** Paths under the private dirs (/tmp, /run …) to show read-only anyway (a HOME under /tmp). */
  readable: string[];
  /** Client file mounted read-only over each real file. */
  covers: Array<{ path: string; client: string }>;
  /** Paths made invisible: a directory becomes an empty tmpfs, a file an empty or placeholder file. */
  masks: Array<{ path: string; replacement: { kind: 'empty-dir' } | { kind: 'file'; source: string } }>;
  /** Directory holding the broker's socket outside; appears at SOCKET_DIR_INSIDE. */
  socketDir: string;
  /** Variables set (string) or removed (null) inside. */
  env: Record<string, string | null>;
  /**
   * How the jail reaches the network. `none`: loopback only. `proxy`: `node forwarder PORT SOCKET -- command`
   * runs first inside, relaying a loopback port to the broker's egress proxy (src/egress/).
   */
  egress: { kind: 'none' } | { kind: 'proxy'; port: number; node: string; forwarder: string; socket: string };
}

export type Availability = { ok: true; detail: string } | { ok: false; missing: string };

export interface Jail {
  readonly name: string;
  /** Can this jail run here at all? (Never fall back to running unconfined.) */
  available(): Promise<Availability>;
  start(spec: JailSpec, stdio: 'inherit' | 'pipe'): ChildProcess;
}

// Directories under which everything is writable on a normal host and must not be inside the jail:
// a fresh tmpfs hides sockets (PostgreSQL's, docker's, dbus) and other users' files in them.
export const PRIVATE_TMPFS = ['/tmp', '/var/tmp', '/run'];

const findBwrap = (): string | null => {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/bin'])) {
    if (dir && existsSync(`${dir}/bwrap`)) return `${dir}/bwrap`;
  }
  return null;
};

/** Why: bubblewrap's argument list for a spec; exported so doctor and tests can show it. */
export const bwrapArgs = (spec: JailSpec): string[] => {
  const a: string[] = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  for (const d of PRIVATE_TMPFS) if (existsSync(d)) a.push('--tmpfs', d);
  a.push('--unshare-all', '--die-with-parent', '--new-session', '--hostname', 'blastgate-sandbox');
  // After the private tmpfs mounts (the workspace may live under /tmp), before the masks (a workspace
  // that holds the state dir or a credential file must not uncover it).
  for (const r of spec.readable) a.push('--ro-bind', r, r);
  for (const w of [spec.workspace, ...spec.writable]) a.push('--bind', w, w);
  for (const m of spec.masks) {
    if (m.replacement.kind === 'empty-dir') a.push('--tmpfs', m.path);
    else a.push('--ro-bind', m.replacement.source, m.path);
  }
  a.push('--ro-bind', spec.socketDir, SOCKET_DIR_INSIDE);
  // Last, so nothing mounted later can uncover a tool (a writable dir holding a guarded binary stays covered).
  for (const c of spec.covers) a.push('--ro-bind', c.client, c.path);
  for (const [k, v] of Object.entries(spec.env)) a.push(...(v === null ? ['--unsetenv', k] : ['--setenv', k, v]));
  a.push('--chdir', spec.workspace, '--');
  const e = spec.egress;
  return e.kind === 'proxy' ? [...a, e.node, e.forwarder, String(e.port), e.socket, '--', ...spec.command] : [...a, ...spec.command];
};

// Asynchronous on purpose: the probe runs while the sandbox loads its rules and plans the mounts.
const userNamespacesUsable = (bwrap: string): Promise<string | null> => {
  try {
    const max = Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim());
    if (max === 0) return Promise.resolve('user namespaces are disabled (user.max_user_namespaces = 0)');
  } catch {
    // not exposed: let the probe below decide
  }
  return new Promise((resolve) => {
    const probe = spawn(bwrap, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    probe.stderr!.on('data', (d) => (stderr += d));
    probe.once('error', (err) => resolve(`${bwrap} cannot be run (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    probe.once('close', (code) => {
      if (code === 0) return resolve(null);
      const why = stderr.trim().split('\n')[0] ?? '';
      resolve(`bubblewrap cannot create namespaces here${why ? ` (${why})` : ''}; user namespaces are off (in a container, start it with user namespaces allowed)`);
    });
  });
};

export const bubblewrapJail = (): Jail => {
  const bwrap = findBwrap();
  return {
    name: 'bubblewrap',
    available: async () => {
      if (process.platform !== 'linux') return { ok: false, missing: `blastgate sandbox needs Linux with bubblewrap; this is ${process.platform}` };
      if (!bwrap) return { ok: false, missing: 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap' };
      const ns = await userNamespacesUsable(bwrap);
      return ns ? { ok: false, missing: ns } : { ok: true, detail: `${bwrap} works with user, pid, net, ipc and uts namespaces` };
    },
    // Its own process group: a Ctrl-C on the terminal reaches blastgate, which decides, not bwrap (that
    // would die by it and take the agent along). The agent has no controlling terminal (--new-session),
    // so being in a background group costs it nothing.
    start: (spec, stdio) => spawn(bwrap ?? 'bwrap', bwrapArgs(spec), { stdio, detached: true }),
  };
};
