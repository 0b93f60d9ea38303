// An egress test world: the sandbox world (test/sandbox/world.ts: agent user bgt-sandbox, temp HOME with
// Railway credentials, workspace) plus the real servers outside and a root-owned system policy that
// points the gated hosts at them (egress.resolve) and makes the broker trust the test CA (egress.ca).
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile } from '../../src/approvals/keys.js';
import { PASSPHRASE, Terminal, waitFor } from '../confirm/sandbox.js';
import { asUserArgv, giveTo } from '../sandbox/agent-user.js';
import { BIN, makeWorld, type World } from '../sandbox/world.js';
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

export interface EgressWorld extends World {
  /** Writes a file into the workspace (readable inside the jail). */
  put(name: string, text: string | Buffer): string;
  read(name: string): string;
  /** Approves request `id` as a human in a real terminal outside (tmux), with the passphrase. */
  approve(id: string): Promise<void>;
}

export const makeEgressWorld = (outside: Outside, terms: Terminal[], egressLines: string[] = []): EgressWorld => {
  const world = makeWorld();
  writeKeyFile(join(world.paths.configDir, 'approval-key.json'), createKeyFile(PASSPHRASE), 'user');
  giveTo(world.user, world.home);
  const sys = join(world.root, 'sys');
  mkdirSync(sys, { recursive: true });
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
      // Another gated platform API (GitHub's), answered by the same recording stand-in.
      `    api.github.com: "${at(outside.railway)}"`,
      `    plain.example: "${at(outside.plain)}"`,
      `  ca: ["${join(sys, 'test-ca.crt')}"]`,
      ...egressLines.map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  // Root-owned: a trusted system layer (an agent-writable file could point Railway's host elsewhere).
  for (const f of [sys, join(sys, 'config.yaml'), join(sys, 'test-ca.crt')]) chownSync(f, 0, 0);
  return {
    ...world,
    put: (name, text) => {
      const file = join(world.work, name);
      writeFileSync(file, text);
      return file;
    },
    read: (name) => readFileSync(join(world.work, name), 'utf8'),
    approve: async (id) => {
      const approver = new Terminal(world.root, asUserArgv(world.user, [process.execPath, BIN, 'approve', id]), world.env, world.root);
      terms.push(approver);
      await approver.answer(/Approval passphrase to approve/, PASSPHRASE);
      const code = await approver.exitCode();
      if (code !== 0) throw new Error(`blastgate approve ${id} exited ${code}`);
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
