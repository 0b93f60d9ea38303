// Inside the sandbox credentials are placeholders; the real tools, run by the broker outside, get the real
// values — and only the tool whose ruleset names that credential.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { giveTo } from './agent-user.js';
import { makeWorld, REAL, shopDatabase, type World } from './world.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

let world: World;
let db: Awaited<ReturnType<typeof shopDatabase>>;

beforeAll(async () => {
  db = await shopDatabase();
  world = makeWorld();
});
afterAll(async () => {
  world?.cleanup();
  await db?.stop();
});

const PLACEHOLDER = /bgph_[0-9a-f]{24}/;

describe('what the agent can read', () => {
  it('the Railway config file, the API token variable and ~/.pgpass show only placeholders', () => {
    const r = world.sandbox('cat ~/.railway/config.json; printenv RAILWAY_API_TOKEN; cat ~/.pgpass');
    expect(r.code, r.stderr).toBe(0);
    const [config, token, pgpass] = r.stdout.trim().split('\n');
    expect(config).toMatch(PLACEHOLDER);
    expect(token).toMatch(PLACEHOLDER);
    expect(pgpass).toMatch(PLACEHOLDER);
    for (const real of Object.values(REAL)) expect(r.stdout).not.toContain(real);
  });

  it("blastgate's own state and config (approvals, audit log, approval key) are not visible", () => {
    for (const [dir, file] of [[world.paths.stateDir, 'audit.jsonl'], [world.paths.configDir, 'approval-key.json']] as const) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), 'kept-outside');
    }
    giveTo(world.user, world.home);
    const r = world.sandbox(`cat "${world.paths.stateDir}/audit.jsonl" "${world.paths.configDir}/approval-key.json" 2>/dev/null | wc -c; touch "${world.home}/x" 2>&1; touch /etc/x 2>&1; echo ok > "${world.work}/w" && cat "${world.work}/w"`);
    expect(r.stdout.trim().split('\n')[0]).toBe('0');
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('ok');
  });

  it('only loopback inside: no route to anywhere', () => {
    const r = world.sandbox(`python3 -c 'import socket; s = socket.socket(); s.settimeout(2); s.connect(("1.1.1.1", 443))'`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Network is unreachable|timed out/);
  });
});

describe('what the tools get', () => {
  it('terraform version and psql select 1 work from inside', () => {
    const r = world.sandbox(`terraform version && psql ${db.psqlArgs} -Atc 'select 1'`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Terraform v\d+\.\d+/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1');
  });

  it('railway status gets the real token from the broker; the agent only ever saw a placeholder', () => {
    const r = world.sandbox('echo "inside: $RAILWAY_API_TOKEN"; railway status');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^inside: bgph_/m);
    expect(world.railwayArgv()).toEqual(['status']);
    expect(world.railwayEnv()?.RAILWAY_API_TOKEN).toBe(REAL.railwayApiToken);
  });

  it("a placeholder handed to another tool stays a placeholder (psql is not Railway's)", () => {
    const r = world.sandbox(`psql ${db.psqlArgs} -Atc "select '$RAILWAY_API_TOKEN'"`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(PLACEHOLDER);
    expect(r.stdout).not.toContain(REAL.railwayApiToken);
  });

  it('stdin piped to a covered tool reaches it, and exit codes come back', () => {
    const r = world.sandbox(`echo "select 40 + 2" | psql ${db.psqlArgs} -At; psql ${db.psqlArgs} -c 'select nonsense' 2>/dev/null; echo "rc=$?"`);
    expect(r.stdout).toContain('42');
    expect(r.stdout).toContain('rc=1');
  });
});
