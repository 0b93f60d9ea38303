// An approval is bound to everything the tool will read: the credential it runs with, the environment that
// changes what it does, and the payloads it reads. Change any of them and the approval does not apply, with
// one line naming what changed — and never the value itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boundDifference, boundNamesOf, fingerprintInputs, newSalt, rulesetsFor } from '../../src/approvals/credentials.js';
import { listPending } from '../../src/approvals/store.js';
import { loadEngine } from '../../src/engine.js';
import { guard } from '../../src/pipeline.js';
import { blastgateArgv, gateArgv, makeSandbox, PASSPHRASE, runDetached, Terminal, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
const terms: Terminal[] = [];
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  box.cleanup();
});

const STAGING = 'staging-4f1c0b2e-token-value';
const PRODUCTION = 'production-9a77d3c1-token-value';
const VOLUME_DELETE = ['railway', 'volume', 'delete', '--volume', 'pgdata', '--yes'];
const agent = (extra: Record<string, string>) => ({ ...box.env, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0', ...extra });
const idFrom = (stderr: string) => /blastgate approve ([a-z0-9]{8})/.exec(stderr)?.[1] ?? null;

/** A human approves request `id` with the passphrase, in a real terminal. */
const approveInTerminal = async (id: string) => {
  const t = new Terminal(box.root, blastgateArgv(['approve', id]), box.env, box.root);
  terms.push(t);
  await t.answer(/Approval passphrase to approve/, PASSPHRASE);
  expect(await t.exitCode()).toBe(0);
  return t.screen();
};

const stateFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? stateFiles(join(dir, e.name)) : [readFileSync(join(dir, e.name), 'utf8')]));

describe('the incident (issue 9, item 4): an approval given under a staging token', () => {
  it('is refused for the same argv under a production RAILWAY_TOKEN, naming the variable; the tool never runs', async () => {
    box.setPassphrase();
    const first = runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: STAGING }), box.work);
    expect(first.code).toBe(77);
    const id = idFrom(first.stderr)!;
    expect(id).not.toBeNull();
    const screen = await approveInTerminal(id);
    // The approver is told what the approval is tied to, by name.
    expect(screen).toMatch(/bound to +RAILWAY_TOKEN/);

    const swapped = runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: PRODUCTION }), box.work);
    expect(swapped.code).toBe(77);
    expect(swapped.stderr).toMatch(new RegExp(`approval ${id} not used: it does not apply: RAILWAY_TOKEN is not the one approved`));
    expect(box.runs()).toEqual([]);

    // An account-wide token added beside the approved one is a difference too.
    const added = runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: STAGING, RAILWAY_API_TOKEN: PRODUCTION }), box.work);
    expect(added.code).toBe(77);
    expect(added.stderr).toMatch(/RAILWAY_API_TOKEN is set now but was not when approved/);
    expect(box.runs()).toEqual([]);

    // The approval still holds, once, for what was approved.
    expect(runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: STAGING }), box.work).code).toBe(0);
    expect(box.runs()).toEqual([VOLUME_DELETE.slice(1)]);

    // Fingerprints only: no token value is written anywhere in blastgate's state.
    for (const text of stateFiles(box.paths.stateDir)) {
      expect(text).not.toContain(STAGING);
      expect(text).not.toContain(PRODUCTION);
    }
  });

  it('a changed ~/.railway/config.json (a different `railway login`) voids the approval too', async () => {
    box.setPassphrase();
    const config = join(box.env.HOME!, '.railway');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ user: { token: STAGING } }));
    const first = runDetached(gateArgv(VOLUME_DELETE), agent({}), box.work);
    const id = idFrom(first.stderr)!;
    await approveInTerminal(id);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ user: { token: PRODUCTION } }));
    const r = runDetached(gateArgv(VOLUME_DELETE), agent({}), box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(`${join(config, 'config.json')} is not the one approved`);
    expect(box.runs()).toEqual([]);
  });

  it('the retried command after a swap gets a new request of its own, not the approved one', () => {
    box.setPassphrase();
    const a = idFrom(runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: STAGING }), box.work).stderr);
    const b = idFrom(runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: PRODUCTION }), box.work).stderr);
    const again = idFrom(runDetached(gateArgv(VOLUME_DELETE), agent({ RAILWAY_TOKEN: STAGING }), box.work).stderr);
    expect(a).not.toBe(b);
    expect(again).toBe(a);
    expect(listPending(box.paths)).toHaveLength(2);
  });
});

describe('payload hashes', () => {
  it('an approval for one SQL payload does not run another (the payload stage\'s hashes are bound)', async () => {
    box.setPassphrase();
    const engine = await loadEngine({ env: { ...box.env, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' }, cwd: box.work });
    const argv = ['psql', '-d', 'shop', '-f', '/srv/migrate.sql'];
    const verdict = await guard({ kind: 'argv', argv }, { env: engine.env, cwd: engine.cwd, actor: engine.actor, index: engine.index, policy: engine.policy });
    const { runConfirm } = await import('../../src/confirm/flow.js');
    const err: string[] = [];
    const withPayload = (sha: string) => ({ ...verdict, decision: 'confirm' as const, payloads: [{ source: '/srv/migrate.sql', sha256: sha }] });
    const first = await runConfirm({ verdict: withPayload('a'.repeat(64)), argv, cwd: box.work, engine, stderr: (t) => err.push(t), openTty: () => null });
    expect(first.approved).toBe(false);
    const id = first.approvalId!;
    expect(listPending(box.paths).map((p) => p.id)).toEqual([id]);
    await approveInTerminal(id);

    err.length = 0;
    const changed = await runConfirm({ verdict: withPayload('b'.repeat(64)), argv, cwd: box.work, engine, stderr: (t) => err.push(t), openTty: () => null });
    expect(changed.approved).toBe(false);
    expect(err.join('')).toContain(`approval ${id} not used: it does not apply: /srv/migrate.sql is not the content approved`);

    const same = await runConfirm({ verdict: withPayload('a'.repeat(64)), argv, cwd: box.work, engine, stderr: (t) => err.push(t), openTty: () => null });
    expect(same).toMatchObject({ approved: true, approvalId: id });
  });
});

describe('what a ruleset binds', () => {
  it('every tool that authenticates names its credentials in its ruleset', async () => {
    const engine = await loadEngine({ env: box.env, cwd: box.work });
    const names = (program: string) => boundNamesOf(rulesetsFor(engine.index, [program]));
    expect(names('railway')).toMatchObject({ env: expect.arrayContaining(['RAILWAY_TOKEN', 'RAILWAY_API_TOKEN']), files: ['~/.railway/config.json'] });
    expect(names('psql')).toMatchObject({ env: expect.arrayContaining(['PG*', 'DATABASE_URL']), files: expect.arrayContaining(['~/.pgpass', '~/.pg_service.conf']) });
    expect(names('dropdb').env).toContain('PG*');
    expect(names('aws')).toMatchObject({ env: expect.arrayContaining(['AWS_*']), files: expect.arrayContaining(['~/.aws/credentials']) });
    expect(names('kubectl')).toMatchObject({ env: expect.arrayContaining(['KUBECONFIG']), files: ['~/.kube/config'] });
    expect(names('tofu').env).toContain('TF_*');
    expect(names('curl').env).toContain('RAILWAY_API_TOKEN');
  });

  it('PG* binds every PG variable set, and a KUBECONFIG list binds the files it names', () => {
    const kube = join(box.root, 'kube-a');
    writeFileSync(kube, 'current-context: staging\n');
    const env = { HOME: box.env.HOME, PGHOST: 'db.staging', PGUSER: 'app', KUBECONFIG: `${kube}:/nonexistent/b` };
    const salt = newSalt();
    const before = fingerprintInputs({ env: ['PG*', 'KUBECONFIG'], files: [] }, env, salt);
    expect(Object.keys(before.credentials).sort()).toEqual(['env:KUBECONFIG', 'env:PGHOST', 'env:PGUSER', `file:${kube}`, 'file:/nonexistent/b'].sort());
    expect(before.credentials['file:/nonexistent/b']).toBe('absent');
    writeFileSync(kube, 'current-context: production\n');
    const after = fingerprintInputs({ env: ['PG*', 'KUBECONFIG'], files: [] }, { ...env, PGDATABASE: 'shop' }, salt);
    expect(boundDifference(before, after)).toBe(`PGDATABASE is set now but was not when approved; ${kube} is not the one approved`);
    // A URL is not a path list: none of its parts (user, password) becomes a file name in the request.
    const url = fingerprintInputs({ env: ['DATABASE_URL'], files: [] }, { HOME: box.env.HOME, DATABASE_URL: 'postgres://app:s3cret@db/shop' }, salt);
    expect(Object.keys(url.credentials)).toEqual(['env:DATABASE_URL']);
    // A FIFO named by a variable is not read (that would block, or take bytes the tool should get).
    const fifo = join(box.root, 'kube-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(fingerprintInputs({ env: ['KUBECONFIG'], files: [] }, { HOME: box.env.HOME, KUBECONFIG: fifo }, salt).credentials[`file:${fifo}`]).toBe('not a regular file');
    // Salted: the same value under two requests' salts gives unrelated fingerprints.
    expect(fingerprintInputs({ env: ['PGHOST'], files: [] }, env, newSalt()).credentials['env:PGHOST']).not.toBe(before.credentials['env:PGHOST']);
  });
});
