// An egress test world: the sandbox world (test/sandbox/world.ts: agent user bgt-sandbox, temp HOME with
// Railway credentials, workspace) plus the real servers outside and a root-owned system policy that
// points the gated hosts at them (egress.resolve) and makes the broker trust the test CA (egress.ca).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile } from '../../src/approvals/keys.js';
import { PASSPHRASE, Terminal, waitFor } from '../confirm/sandbox.js';
import { asUserArgv, giveTo } from '../sandbox/agent-user.js';
import { BIN, makeWorld, type World } from '../sandbox/world.js';
import type { Done } from '../sandbox/agent-user.js';
import { startPlainHttp, startRailway, startUnrelated, testCertificates, type TestServer } from './servers.js';

export const RAILWAY_URL = 'https://backboard.railway.app/graphql/v2';

export interface Outside {
  railway: TestServer;
  unrelated: TestServer & { blob: Buffer };
  plain: TestServer;
  /** The test CA's certificate (PEM): what a client trusting only it would accept. */
  caPem: string;
  close(): Promise<void>;
}

export const startOutside = async (): Promise<Outside> => {
  const dir = mkdtempSync('/tmp/bg-egress-ca-');
  const tls = testCertificates(dir, ['backboard.railway.app', 'backboard.railway.com', 'unrelated.example', 'api.github.com']);
  const [railway, unrelated, plain] = await Promise.all([startRailway(tls), startUnrelated(tls), startPlainHttp()]);
  rmSync(dir, { recursive: true, force: true });
  return {
    railway,
    unrelated,
    plain,
    caPem: tls.ca,
    close: async () => {
      await Promise.all([railway.close(), unrelated.close(), plain.close()]);
    },
  };
};

export interface EgressWorld extends Omit<World, 'startSandbox'> {
  /** `blastgate sandbox [args] -- bash -c <line>` as the agent user, with the system policy at /etc/blastgate. */
  startSandbox(line: string, sandboxArgs?: string[]): { done: Promise<Done> };
  /** Writes a file into the workspace (readable inside the jail). */
  put(name: string, text: string | Buffer): string;
  read(name: string): string;
  /** Approves request `id` as a human in a real terminal outside (tmux), with the passphrase; returns the screen. */
  approve(id: string): Promise<string>;
}

/**
 * `userName`: one agent user per test file. The approval key lives in that user's password-database home,
 * so two files running at once with one user would overwrite and remove each other's key.
 */
export const makeEgressWorld = (userName: string, outside: Outside, terms: Terminal[], egressLines: string[] = [], topLevel: string[] = []): EgressWorld => {
  const world = makeWorld(userName);
  // The user layer of a non-root user is in its password-database home, never $HOME (src/trust/layers.ts).
  const pwHome = spawnSync('getent', ['passwd', world.user.name], { encoding: 'utf8' }).stdout.split(':')[5]!;
  const keyFile = join(pwHome, '.config', 'blastgate', 'approval-key.json');
  writeKeyFile(keyFile, createKeyFile(PASSPHRASE), 'user');
  giveTo(world.user, pwHome);
  giveTo(world.user, world.home);
  // The system policy: root-owned, seen at /etc/blastgate (bound in a private mount namespace below).
  const sys = mkdtempSync('/tmp/bg-egress-sys-');
  chmodSync(sys, 0o755);
  writeFileSync(join(sys, 'test-ca.crt'), outside.caPem, { mode: 0o644 });
  const at = (s: TestServer) => `127.0.0.1:${s.port}`;
  writeFileSync(
    join(sys, 'config.yaml'),
    [
      'egress:',
      '  resolve:',
      `    backboard.railway.app: "${at(outside.railway)}"`,
      `    backboard.railway.com: "${at(outside.railway)}"`,
      `    unrelated.example: "${at(outside.unrelated)}"`,
      `    plain.example: "${at(outside.plain)}"`,
      // Another gated platform API (GitHub's), answered by the same recording stand-in.
      `    api.github.com: "${at(outside.railway)}"`,
      '  ca: ["/etc/blastgate/test-ca.crt"]',
      ...egressLines.map((l) => `  ${l}`),
      ...topLevel,
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const overlay = mkdtempSync('/tmp/bg-egress-etc-');
  for (const d of ['up', 'work']) mkdirSync(join(overlay, d), { mode: 0o755 });
  /**
   * `blastgate sandbox` as the agent user with /etc/blastgate = the system policy above: a private mount
   * namespace over an overlay of /etc (the host's /etc is untouched). Only /etc/blastgate can redirect
   * Railway's host (an agent-writable file could send the real token anywhere).
   */
  const startSandbox = (line: string, sandboxArgs: string[] = []): { done: Promise<Done> } => {
    const inner = `set -e; mount -t overlay overlay -o lowerdir=/etc,upperdir=${overlay}/up,workdir=${overlay}/work /etc; mkdir -p /etc/blastgate; mount --bind ${sys} /etc/blastgate; exec "$@"`;
    const argv = asUserArgv(world.user, [process.execPath, BIN, 'sandbox', ...sandboxArgs, '--', 'bash', '-c', line]);
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', inner, 'sh', ...argv], { env: world.env, cwd: world.work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return { done: new Promise<Done>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr }))) };
  };
  return {
    ...world,
    startSandbox,
    put: (name, text) => {
      const file = join(world.work, name);
      writeFileSync(file, text);
      return file;
    },
    read: (name) => readFileSync(join(world.work, name), 'utf8'),
    approve: async (id) => {
      const approver = new Terminal(world.root, asUserArgv(world.user, [process.execPath, BIN, 'approve', id]), world.env, world.root);
      terms.push(approver);
      const screen = await approver.answer(/Approval passphrase to approve/, PASSPHRASE);
      const code = await approver.exitCode();
      if (code !== 0) throw new Error(`blastgate approve ${id} exited ${code}`);
      return screen;
    },
    cleanup: () => {
      rmSync(keyFile, { force: true });
      rmSync(sys, { recursive: true, force: true });
      rmSync(overlay, { recursive: true, force: true });
      world.cleanup();
    },
  };
};

/** Waits until the workspace file holds the gate's 403 answer, and returns it. */
export const refusalIn = (world: EgressWorld, name: string) =>
  waitFor(
    () => {
      try {
        const text = world.read(name);
        return text.includes('"error"') ? (JSON.parse(text.slice(text.indexOf('{'))) as { error: string; request?: string; approve?: string }) : null;
      } catch {
        return null;
      }
    },
    45_000,
    `the gate's answer in ${name}`,
  );
