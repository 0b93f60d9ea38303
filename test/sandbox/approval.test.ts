// A dangerous command inside the sandbox waits for a human who approves it from their own terminal outside;
// approving from inside is refused; killing the sandbox leaves nothing behind.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile } from '../../src/approvals/keys.js';
import { listPending } from '../../src/approvals/store.js';
import { PASSPHRASE, Terminal, waitFor } from '../confirm/sandbox.js';
import { asUserArgv, giveTo } from './agent-user.js';
import { BIN, makeWorld, REAL, type World } from './world.js';

vi.setConfig({ testTimeout: 180_000 });

let world: World;
const terms: Terminal[] = [];
/** The user layer of a non-root user is in its password-database home, never $HOME (src/trust/layers.ts). */
let userConfig: string;
beforeEach(() => {
  world = makeWorld();
  const home = spawnSync('getent', ['passwd', world.user.name], { encoding: 'utf8' }).stdout.split(':')[5]!;
  userConfig = join(home, '.config', 'blastgate');
  writeKeyFile(join(userConfig, 'approval-key.json'), createKeyFile(PASSPHRASE), 'user');
  giveTo(world.user, home);
  giveTo(world.user, world.home);
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  rmSync(join(userConfig, 'approval-key.json'), { force: true });
  world.cleanup();
});

const DELETE = 'railway volume delete --volume pgdata';
const pendingOne = () => waitFor(() => listPending(world.paths)[0], 90_000, 'the pending request');
const runtimeDirs = () => readdirSync('/tmp').filter((n) => n.startsWith('blastgate-sandbox-'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Host pids of processes whose command line contains `marker` (the agent's own, seen from outside). */
const pidsWith = (marker: string) =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);

describe('a dangerous command from inside', () => {
  it('waits, is approved by a human outside with blastgate approve, then runs once with the real token', async () => {
    const run = world.startSandbox(`${DELETE}; echo "rc=$?"`, { BLASTGATE_APPROVAL_WAIT: '60' });
    const req = await pendingOne();
    // The request names the sandbox and the agent's command; nothing has run yet.
    expect(req.panel.actorReason ?? JSON.stringify(req.panel)).toMatch(/inside blastgate sandbox \w+ \(agent: bash -c railway volume delete/);
    expect(world.railwayArgv()).toBeNull();
    const approver = new Terminal(world.root, asUserArgv(world.user, [process.execPath, BIN, 'approve', req.id]), world.env, world.root);
    terms.push(approver);
    const screen = await approver.answer(/Approval passphrase to approve/, PASSPHRASE);
    expect(screen).toMatch(/railway volume delete --volume pgdata/);
    expect(await approver.exitCode()).toBe(0);
    const done = await run.done;
    expect(done.stdout, done.stderr).toContain('rc=0');
    expect(world.railwayArgv()).toEqual(['volume', 'delete', '--volume', 'pgdata']);
    expect(world.railwayEnv()?.RAILWAY_API_TOKEN).toBe(REAL.railwayApiToken);
    // Audited with the sandbox id.
    const log = readFileSync(join(world.paths.stateDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sandbox?: string; decision: string });
    expect(log.filter((r) => r.sandbox && r.decision === 'exit')).toHaveLength(1);
    expect(log.some((r) => r.decision === 'approved')).toBe(true);
  });

  it('blastgate approve from inside the sandbox is refused; the request stays pending and nothing runs', async () => {
    const run = world.startSandbox(`${DELETE}; echo "rc=$?"`, { BLASTGATE_APPROVAL_WAIT: '60' });
    const req = await pendingOne();
    const inside = world.sandbox(`echo '${PASSPHRASE}' | node ${BIN} approve ${req.id}`);
    expect(inside.code).toBe(77);
    expect(inside.stderr).toMatch(/approve must be run by a human/);
    // Without the agent marker it still finds no request to approve: the approvals dir is not in the jail.
    const stripped = world.sandbox(`echo '${PASSPHRASE}' | env -i PATH=/usr/bin:/bin HOME="$HOME" XDG_STATE_HOME="$XDG_STATE_HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" node ${BIN} approve ${req.id}`);
    expect(stripped.code).not.toBe(0);
    expect(stripped.stderr).toMatch(/no pending request|needs a terminal/);
    expect(listPending(world.paths).map((p) => p.id)).toEqual([req.id]);
    expect(world.railwayArgv()).toBeNull();
    run.child.kill('SIGTERM');
    await run.done;
    expect(world.railwayArgv()).toBeNull();
  });
});

describe('the end of a sandbox', () => {
  it('killing the sandbox kills everything in it and leaves no socket, pending request or lock', async () => {
    const before = runtimeDirs();
    const marker = `sleep 3000.${process.pid}`;
    const run = world.startSandbox(`${marker} & ${DELETE}`, { BLASTGATE_APPROVAL_WAIT: '60' });
    await pendingOne();
    const inner = await waitFor(() => pidsWith(marker).filter((p) => p !== run.child.pid).at(0), 10_000, 'the agent process');
    run.child.kill('SIGTERM');
    const done = await run.done;
    expect(done.code).toBe(128 + 15);
    await waitFor(() => !alive(inner), 5_000, 'the agent to die');
    expect(runtimeDirs().filter((d) => !before.includes(d))).toEqual([]);
    expect(listPending(world.paths)).toEqual([]);
    const state = world.paths.stateDir;
    expect(existsSync(state) ? readdirSync(state).filter((n) => n.endsWith('.lock')) : []).toEqual([]);
    expect(world.railwayArgv()).toBeNull();
  });

  it('when the agent itself dies, the broker stops the tool it was running and cleans up', async () => {
    const before = runtimeDirs();
    const run = world.startSandbox(`exec ${DELETE}`, { BLASTGATE_APPROVAL_WAIT: '60' });
    await pendingOne();
    // The agent here is the covered railway client itself (bash exec'd it): kill it from outside.
    const isClient = (pid: number) => {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv[1]?.endsWith('/railway') === true && argv[2] === 'volume';
    };
    const agent = await waitFor(() => pidsWith('volume').filter(isClient).at(0), 10_000, 'the agent');
    process.kill(agent, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(128 + 9);
    expect(runtimeDirs().filter((d) => !before.includes(d))).toEqual([]);
    expect(listPending(world.paths)).toEqual([]);
    expect(world.railwayArgv()).toBeNull();
  });
});
