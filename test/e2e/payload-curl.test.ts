// The incident's volumeDelete hidden where curl reads it on its own (`-K req.cfg` with `data = "@body.json"`,
// ~/.curlrc, $CURL_HOME/.curlrc) or behind a FIFO, sent by the real curl through its shim to a loopback
// server standing in for backboard.railway.com: the request never arrives. A harmless request does.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { makeWorld, shq, type ShimWorld } from '../shims/shim-sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const VOLUME_DELETE = JSON.stringify({ query: 'mutation volumeDelete($volumeId: String!) { volumeDelete(volumeId: $volumeId) }', variables: { volumeId: 'vol_prod_db' } });
const HARMLESS = JSON.stringify({ query: 'query { me { id } }' });

let world: ShimWorld;
let server: Server;
let port: number;
let work: string;
let received: string[] = [];

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
  world = makeWorld();
  await world.shims(['curl'], { full: 'real' });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(body);
      res.end('{"data":{}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  work = mkdtempSync(join(world.root, 'work-'));
});

beforeEach(() => {
  received = [];
  rmSync(join(world.env.HOME!, '.curlrc'), { force: true });
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (world) rmSync(world.root, { recursive: true, force: true });
});

const URL = () => `http://backboard.railway.com:${port}/graphql/v2`;
// curl resolves the Railway host to our loopback server (no DNS, no network).
const RESOLVE = () => `resolve = "backboard.railway.com:${port}:127.0.0.1"`;

/** bash with the shims first on PATH, without blocking the server's event loop. */
const run = (line: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> =>
  new Promise((res) => {
    const child = spawn('/bin/bash', ['-c', line], {
      cwd: work,
      env: { ...world.env, PATH: world.pathWith(join(world.root, 'shims')), CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stderr });
    });
  });

const config = (file: string, body: string) => {
  writeFileSync(join(work, 'body.json'), body);
  writeFileSync(file, `url = "${URL()}"\n${RESOLVE()}\ndata = "@body.json"\nsilent\n`);
};

describe('curl options curl reads on its own', () => {
  it('control: a harmless query from curl -K req.cfg reaches the server through the shim', async () => {
    config(join(work, 'req.cfg'), HARMLESS);
    const r = await run('curl -K req.cfg');
    expect(r.code, r.stderr).toBe(0);
    expect(received).toEqual([HARMLESS]);
  });

  it('curl -s -K req.cfg with data = "@body.json" holding volumeDelete: refused (77), nothing reaches the server', async () => {
    config(join(work, 'req.cfg'), VOLUME_DELETE);
    const r = await run('curl -s -K req.cfg');
    expect(r.code).toBe(77);
    expect(r.stderr).toContain('curl:railway-volume-delete');
    expect(received).toEqual([]);
  });

  it('the same request in ~/.curlrc behind a harmless-looking `curl -s`: refused, nothing sent', async () => {
    config(join(world.env.HOME!, '.curlrc'), VOLUME_DELETE);
    const r = await run('curl -s');
    expect(r.code).toBe(77);
    expect(received).toEqual([]);
  });

  it('in $CURL_HOME/.curlrc: refused, nothing sent', async () => {
    const home = join(work, 'curlhome');
    mkdirSync(home, { recursive: true });
    config(join(home, '.curlrc'), VOLUME_DELETE);
    const r = await run(`CURL_HOME=${shq(home)} curl -s`);
    expect(r.code).toBe(77);
    expect(received).toEqual([]);
  });

  it('curl -q skips ~/.curlrc, and so does the gate: a harmless request on the line is sent', async () => {
    config(join(world.env.HOME!, '.curlrc'), VOLUME_DELETE);
    const r = await run(`curl -q -s --resolve backboard.railway.com:${port}:127.0.0.1 ${URL()} -d ${shq(HARMLESS)}`);
    expect(r.code, r.stderr).toBe(0);
    expect(received).toEqual([HARMLESS]);
  });
});

describe('a body that changes after the check', () => {
  it('curl -d @f.json where f.json is a FIFO (harmless first, volumeDelete after): refused without reading it; nothing sent', async () => {
    writeFileSync(join(work, 'evil.json'), VOLUME_DELETE);
    const line = `rm -f f.json; mkfifo f.json; (timeout 5 sh -c 'echo ${shq(HARMLESS)} > f.json; sleep 1; cat evil.json > f.json') &
      curl -s --resolve backboard.railway.com:${port}:127.0.0.1 ${URL()} -d @f.json; rc=$?; wait; exit $rc`;
    const r = await run(line);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/FIFO/);
    expect(received).toEqual([]);
  });

  it('the hook answers within a second for a FIFO named in -d @fifo (it never opens it)', async () => {
    const fifo = join(work, 'hook.json');
    rmSync(fifo, { force: true });
    await run(`mkfifo ${shq(fifo)}`);
    const input = JSON.stringify({ tool_name: 'Bash', tool_input: { command: `curl ${URL()} -d @${fifo}` }, cwd: work });
    const started = Date.now();
    const answer = await new Promise<{ code: number | null; stdout: string }>((res) => {
      const child = spawn(process.execPath, [BIN, 'hook', 'claude-code'], { env: world.env, cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        res({ code, stdout });
      });
      child.stdin.end(input);
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.parse(answer.stdout).hookSpecificOutput.permissionDecision).not.toBe('allow');
  });
});
