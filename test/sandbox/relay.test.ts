// The client relays like the tool itself: exit codes, death by signal, Ctrl-C / SIGTERM passed on once,
// and nothing from inside (loader variables, PATH) rides along into the real tool outside.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../confirm/sandbox.js';
import { asUserArgv } from './agent-user.js';
import { BIN, makeWorld, type World } from './world.js';

vi.setConfig({ testTimeout: 60_000 });

let world: World;
beforeAll(() => {
  world = makeWorld();
});
afterAll(() => world?.cleanup());

describe('relay between a covered binary and the real tool', () => {
  it("the tool's exit code and its death by a signal come back to the agent", () => {
    const r = world.sandbox('FAKE_TOOL_EXIT=3 railway status; echo "rc=$?"; FAKE_TOOL_SIGNAL=TERM railway status; echo "rc=$?"');
    expect(r.stdout).toContain('rc=3');
    expect(r.stdout).toContain(`rc=${128 + 15}`);
  });

  it('SIGINT sent to the covered binary reaches the real tool once, which dies by it', () => {
    const r = world.sandbox(`FAKE_TOOL_SLEEP=20 railway status & pid=$!; while [ ! -e "${world.fakeLog}.ready" ]; do sleep 0.05; done; kill -INT $pid; wait $pid; echo "rc=$?"`);
    expect(r.stdout).toContain(`rc=${128 + 2}`);
    expect(readFileSync(`${world.fakeLog}.signals`, 'utf8')).toBe('INT\n');
  });

  it('loader and interpreter variables set inside never reach the real tool; PATH is the human\'s', () => {
    writeFileSync(`${world.work}/evil.js`, '');
    const r = world.sandbox(`LD_PRELOAD=${world.work}/evil.so NODE_OPTIONS=--require=${world.work}/evil.js PATH=${world.work}:$PATH railway status`);
    expect(r.code, r.stderr).toBe(0);
    const env = world.railwayEnv()!;
    expect(env.LD_PRELOAD).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env.PATH).toBe(world.env.PATH);
    expect(env.BLASTGATE_ACTOR).toBe('agent');
  });

  it("the real tool finds its configuration where the human keeps it, not where the agent points", () => {
    const r = world.sandbox(`HOME=${world.work} PSQLRC=${world.work}/rc KUBECONFIG=${world.work}/kc GIT_SSH_COMMAND=${world.work}/x.sh railway status`);
    expect(r.code, r.stderr).toBe(0);
    const env = world.railwayEnv()!;
    expect(env.HOME).toBe(world.home);
    expect(env.PSQLRC).toBeUndefined();
    expect(env.KUBECONFIG).toBeUndefined();
    expect(env.GIT_SSH_COMMAND).toBeUndefined();
  });

  it('a tool run from a directory the agent cannot write (HOME) needs a human, even when safe', () => {
    rmSync(`${world.fakeLog}.argv`, { force: true });
    const r = world.sandbox('cd ~ && railway status');
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/not run: .*runs outside the sandbox in .*home, which the agent cannot write/);
    // Nor through a symlink in the workspace that leads there.
    const viaLink = world.sandbox('ln -s ~ homelink && cd homelink && railway status');
    expect(viaLink.code).toBe(77);
    expect(viaLink.stderr).toMatch(/which the agent cannot write/);
    expect(world.railwayArgv()).toBeNull();
  });

  it('the broker only runs covered tools, and a garbled request from inside ends that request, not the broker', () => {
    const raw = (bytes: string) => `python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect("/run/blastgate/broker.sock"); s.sendall(${bytes}); s.shutdown(socket.SHUT_WR); sys.stdout.write(repr(s.recv(4096)))'`;
    const request = JSON.stringify({ v: 1, binary: '/bin/sh', args: ['-c', 'echo escaped'], cwd: world.work, env: {}, stdinIsTTY: false });
    const frame = `bytes([1]) + len(${JSON.stringify(request)}).to_bytes(4, "big") + ${JSON.stringify(request)}.encode()`;
    const r = world.sandbox(`${raw(frame)}; echo; ${raw('b"\\x01\\xff\\xff\\xff\\xff"')}; echo; railway status && echo "still served"`);
    expect(r.stdout).toMatch(/\/bin\/sh is not a tool this sandbox covers/);
    expect(r.stdout).not.toMatch(/escaped\\n/);
    expect(r.stdout).toMatch(/bad exec request: frame of \d+ bytes is over the limit/);
    expect(r.stdout).toContain('still served');
  });

  it('a covered binary with no broker to talk to fails closed: exit 77, one line', () => {
    // The client file itself, run outside any sandbox: no socket at /run/blastgate.
    const r = world.sandbox('cp /usr/bin/psql ./client-copy; true');
    expect(r.code).toBe(0);
    const copy = `${world.work}/client-copy`;
    expect(existsSync(copy)).toBe(true);
    const out = spawnSync(copy, ['-c', 'select 1'], { encoding: 'utf8' });
    expect(out.status).toBe(77);
    expect(out.stderr).toMatch(/^blastgate: client-copy: not run: the sandbox's broker cannot be reached/);
  });
});

describe('at a terminal', () => {
  it('Ctrl-C belongs to the agent: it does not end the sandbox; the agent keeps reading the terminal', async () => {
    // A real terminal: a private tmux server whose pane runs the sandbox as the agent user.
    const dir = mkdtempSync(join(tmpdir(), 'bg-sbx-term-'));
    const tmux = (...args: string[]) => spawnSync('tmux', ['-S', join(dir, 'sock'), ...args], { encoding: 'utf8' });
    const env = Object.entries(world.env).map(([k, v]) => `${k}='${v}'`).join(' ');
    const cmd = `cd ${world.work} && env -i ${env} TERM=xterm ${asUserArgv(world.user, [process.execPath, BIN, 'sandbox', '--', 'bash', '-c', "'read -r x; echo got=$x'"]).join(' ')}; echo "rc=$?"; sleep 60`;
    try {
      expect(tmux('-f', '/dev/null', 'new-session', '-d', '-x', '150', '-y', '30', cmd).status).toBe(0);
      await new Promise((r) => setTimeout(r, 2000));
      tmux('send-keys', 'C-c');
      await new Promise((r) => setTimeout(r, 300));
      tmux('send-keys', 'hi', 'Enter');
      const screen = await waitFor(() => (/rc=\d+/.test(tmux('capture-pane', '-p').stdout) ? tmux('capture-pane', '-p').stdout : null), 20_000, 'the sandbox to end');
      expect(screen).toMatch(/got=hi/);
      expect(screen).toMatch(/rc=0/);
    } finally {
      tmux('kill-server');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
