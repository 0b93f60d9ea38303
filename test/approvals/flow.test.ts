// Agents and terminal-less callers: a pending request, an out-of-band approval typed by a human in
// another terminal, and every way to fake, reuse or redirect an approval — rejected.
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signBinding } from '../../src/approvals/binding.js';
import { createKeyFile, deriveSigningKey, keyFingerprint, type KeyFile } from '../../src/approvals/keys.js';
import { approvalPath, listPending, writeApproval, type Approval, type PendingRequest } from '../../src/approvals/store.js';
import {
  blastgateArgv,
  gateArgv,
  installShims,
  makeSandbox,
  PASSPHRASE,
  runDetached,
  startDetached,
  Terminal,
  waitFor,
  type Sandbox,
} from '../confirm/sandbox.js';

// Real processes and terminals: each test starts several node processes.
vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
const terms: Terminal[] = [];
const agent = (extra: Record<string, string> = {}) => ({ ...box.env, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0', ...extra });
const idFrom = (stderr: string) => /blastgate approve ([a-z0-9]{8})/.exec(stderr)?.[1] ?? null;
const onlyPending = (): PendingRequest => {
  const all = listPending(box.paths);
  expect(all).toHaveLength(1);
  return all[0]!;
};

/** What `approve` does, done in-process by someone who knows `pass` (the human, or an attacker with their own key). */
const sign = (req: PendingRequest, pass: string, key: KeyFile, over: Partial<Approval> = {}, expiresInMs?: number): Approval => {
  const { privateKey } = deriveSigningKey(pass, key.kdf);
  // `approve` signs the request's own expiry (the gate's clock); a test may sign another.
  const expiresAt = over.expiresAt ?? (expiresInMs === undefined ? req.expiresAt : new Date(Date.now() + expiresInMs).toISOString());
  const id = over.id ?? req.id;
  const subject = over.subject ?? req.subject;
  const approval: Approval = {
    v: 1,
    id,
    nonce: req.nonce,
    subject,
    approvedAt: new Date().toISOString(),
    expiresAt,
    key: keyFingerprint(key),
    keyOrigin: 'user',
    signature: signBinding({ id, subject, nonce: req.nonce, expiresAt }, privateKey),
    panel: req.panel,
    ...over,
  };
  writeApproval(box.paths, approval);
  return approval;
};

/** An agent runs the command without waiting; the request it leaves behind. */
const requestFor = (argv: string[], cwd = box.work): PendingRequest => {
  const r = runDetached(gateArgv(argv), agent(), cwd);
  expect(r.code).toBe(77);
  const id = idFrom(r.stderr);
  expect(id).not.toBeNull();
  return listPending(box.paths).find((p) => p.id === id)!;
};

beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  box.cleanup();
});

describe('agent or no terminal → pending request', () => {
  it('without a passphrase, an agent is denied with the instructions to set one', () => {
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/^blastgate: .*not run: .*`blastgate passphrase set`/m);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('blastgate:'))).toHaveLength(1);
    expect(listPending(box.paths)).toEqual([]);
    expect(box.runs()).toEqual([]);
  });

  it('no TTY + agent env → a pending request with id, argv, cwd, target, rules, time and expiry; exit 77 at once with wait 0', () => {
    box.setPassphrase();
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(r.code).toBe(77);
    const id = idFrom(r.stderr);
    expect(r.stderr).toMatch(/A human must run, in their own terminal: +blastgate approve [a-z0-9]{8}/);
    expect(r.stderr).toMatch(/asked by +AI agent/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^blastgate: .*\`blastgate approve ${id}\``));
    expect(r.stderr.split('\n').filter((l) => l.startsWith('blastgate:'))).toHaveLength(1);
    const req = onlyPending();
    expect(req.id).toBe(id);
    expect(req.panel).toMatchObject({ argv: ['dropdb', 'shop'], cwd: box.work, actor: 'agent', target: { kind: 'postgres', name: 'shop' }, rules: [{ rule: 'dropdb:drop-database', severity: 'critical' }] });
    expect(Date.parse(req.expiresAt) - Date.parse(req.createdAt)).toBe(600_000);
    const listed = runDetached(blastgateArgv(['pending', '--json']), box.env, box.work);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id, argv: ['dropdb', 'shop'], cwd: box.work, rules: ['dropdb:drop-database'] }]);
    expect(box.runs()).toEqual([]);
  });

  it('a human without a terminal (cron, CI) also waits for an approval instead of a prompt', () => {
    box.setPassphrase();
    const r = runDetached(gateArgv(['dropdb', 'shop']), { ...box.env, BLASTGATE_APPROVAL_WAIT: '0' }, box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/no terminal to ask on/);
    expect(onlyPending().panel.actor).toBe('human');
  });

  it('retrying the same command reuses the open request instead of piling up new ids', () => {
    box.setPassphrase();
    const a = idFrom(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).stderr);
    const b = idFrom(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).stderr);
    expect(a).toBe(b);
    expect(listPending(box.paths)).toHaveLength(1);
  });
});

describe('blastgate approve, in a human terminal', () => {
  it('a waiting agent proceeds once a human approves with the passphrase typed in a PTY; exactly once', async () => {
    box.setPassphrase();
    const gated = startDetached(gateArgv(['dropdb', '--if-exists', 'shop']), agent({ BLASTGATE_APPROVAL_WAIT: '60' }), box.work);
    const req = await waitFor(() => listPending(box.paths)[0], 20_000, 'the pending request');
    const approver = new Terminal(box.root, blastgateArgv(['approve', req.id]), box.env, box.root);
    terms.push(approver);
    const screen = await approver.waitForScreen(/Approval passphrase to approve/);
    // The approver sees the same panel the agent was shown.
    expect(screen).toContain('command       dropdb --if-exists shop');
    expect(screen).toMatch(/asked by\s+AI agent \(CLAUDECODE=1/);
    approver.type(PASSPHRASE);
    approver.key('Enter');
    expect(await approver.exitCode()).toBe(0);
    const done = await gated.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('fake dropdb ran: --if-exists shop');
    expect(box.runs()).toEqual([['--if-exists', 'shop']]);
    // Used up: the same command again needs a new approval.
    expect(runDetached(gateArgv(['dropdb', '--if-exists', 'shop']), agent(), box.work).code).toBe(77);
    expect(box.runs()).toHaveLength(1);
  });

  it('through a real shim: the agent runs plain `dropdb shop`, waits, a human approves, it proceeds', async () => {
    box.setPassphrase();
    await installShims(box);
    const gated = startDetached(['dropdb', 'shop'], agent({ BLASTGATE_APPROVAL_WAIT: '60' }), box.work);
    const req = await waitFor(() => listPending(box.paths)[0], 20_000, 'the pending request');
    expect(req.panel.argv).toEqual(['dropdb', 'shop']);
    const approver = new Terminal(box.root, blastgateArgv(['approve', req.id]), box.env, box.root);
    terms.push(approver);
    await approver.answer(/Approval passphrase to approve/, PASSPHRASE);
    expect(await approver.exitCode()).toBe(0);
    expect((await gated.done).code).toBe(0);
    expect(box.runs()).toEqual([['shop']]);
  });

  it('re-running the identical command after approval, within the TTL, proceeds — once', async () => {
    box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    const approver = new Terminal(box.root, blastgateArgv(['approve', req.id]), box.env, box.root);
    terms.push(approver);
    await approver.answer(/Approval passphrase/, PASSPHRASE);
    expect(await approver.exitCode()).toBe(0);
    const again = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(again.code).toBe(0);
    expect(box.runs()).toEqual([['shop']]);
    const third = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(third.code).toBe(77);
    expect(box.runs()).toHaveLength(1);
  });

  it('a wrong passphrase approves nothing', async () => {
    box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    const approver = new Terminal(box.root, blastgateArgv(['approve', req.id]), box.env, box.root);
    terms.push(approver);
    const prompts = () => approver.screen().split('Approval passphrase to approve').length - 1;
    for (let i = 0; i < 3; i++) {
      await waitFor(() => prompts() > i, 20_000, `passphrase prompt #${i + 1}`);
      approver.type(`guess ${i}`);
      approver.key('Enter');
    }
    expect(await approver.exitCode()).toBe(77);
    expect(approver.screen()).toMatch(/wrong passphrase/);
    expect(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).code).toBe(77);
    expect(box.runs()).toEqual([]);
  });

  it('approve refuses without a terminal', () => {
    box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    const r = runDetached(blastgateArgv(['approve', req.id]), box.env, box.root);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/^blastgate: approve needs a terminal/m);
    expect(listPending(box.paths)).toHaveLength(1);
  });

  it('approve refuses to run for an agent, even on a terminal — it is never prompted', async () => {
    box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    const t = new Terminal(box.root, blastgateArgv(['approve', req.id]), { ...box.env, CLAUDECODE: '1' }, box.root);
    terms.push(t);
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).toMatch(/must be run by a human/);
    expect(t.screen()).not.toMatch(/Approval passphrase/);
  });

  it('deny stops the waiting command with 77 at once', async () => {
    box.setPassphrase();
    const gated = startDetached(gateArgv(['dropdb', 'shop']), agent({ BLASTGATE_APPROVAL_WAIT: '60' }), box.work);
    const req = await waitFor(() => listPending(box.paths)[0], 20_000, 'the pending request');
    const started = Date.now();
    expect(runDetached(blastgateArgv(['deny', req.id]), box.env, box.root).code).toBe(0);
    const done = await gated.done;
    expect(done.code).toBe(77);
    expect(done.stderr).toMatch(/denied by a human/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(box.runs()).toEqual([]);
  });

  it('no approval within BLASTGATE_APPROVAL_WAIT seconds → 77 with the approve line', async () => {
    box.setPassphrase();
    const started = Date.now();
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent({ BLASTGATE_APPROVAL_WAIT: '1.5' }), box.work);
    expect(r.code).toBe(77);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(r.stderr).toMatch(/^blastgate: .*no approval within 1\.5 s: a human must run `blastgate approve [a-z0-9]{8}`/m);
  });
});

describe('attacks on approvals — each rejected, the tool never runs', () => {
  it('forged: an approval signed with another key (another passphrase) is rejected', async () => {
    box.setPassphrase();
    const gated = startDetached(gateArgv(['dropdb', 'shop']), agent({ BLASTGATE_APPROVAL_WAIT: '30' }), box.work);
    const req = await waitFor(() => listPending(box.paths)[0], 20_000, 'the pending request');
    const attackerKey = createKeyFile('the agent picked this one');
    sign(req, 'the agent picked this one', attackerKey);
    const done = await gated.done;
    expect(done.code).toBe(77);
    expect(done.stderr).toMatch(/not signed by the trusted approval key/);
    expect(box.runs()).toEqual([]);
  });

  // Needs root to make a root-owned system dir (the test containers run as root); as another user the
  // system key is, correctly, ignored — see the next test for that branch.
  it('forged: with a system key present, replacing the user key with the attacker\'s own does not help', () => {
    expect(process.getuid?.(), 'this test must run as root to create a root-owned system key').toBe(0);
    box.setPassphrase(PASSPHRASE, 'system');
    const req = requestFor(['dropdb', 'shop']);
    // The agent can write the user's config: it installs its own key there and signs with it.
    box.setPassphrase('the agent picked this one', 'user');
    const attackerKey = JSON.parse(readFileSync(join(box.paths.configDir, 'approval-key.json'), 'utf8')) as KeyFile;
    sign(req, 'the agent picked this one', attackerKey);
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/not signed by the trusted approval key/);
    expect(box.runs()).toEqual([]);
  });

  it('a system key in a directory others can write is ignored (it could be the agent\'s)', () => {
    const sysKey = box.setPassphrase('the agent picked this one', 'system');
    box.setPassphrase();
    // A dir anyone can write proves nothing about who put the key there.
    chmodSync(box.paths.systemDir, 0o777);
    const req = requestFor(['dropdb', 'shop']);
    sign(req, 'the agent picked this one', sysKey);
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/not signed by the trusted approval key/);
    expect(box.runs()).toEqual([]);
  });

  it('replayed: a used approval copied back into place is rejected', () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    const approval = sign(req, PASSPHRASE, key);
    const saved = join(box.root, 'saved-approval.json');
    cpSync(approvalPath(box.paths, req.id), saved);
    expect(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).code).toBe(0);
    cpSync(saved, approvalPath(box.paths, approval.id));
    const replay = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(replay.code).toBe(77);
    expect(replay.stderr).toMatch(/approval [a-z0-9]{8} not used: the approval was already used/);
    expect(box.runs()).toEqual([['shop']]);
  });

  it('replayed after deleting the used marker: the audit log still remembers the use; hiding that breaks the chain', () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    sign(req, PASSPHRASE, key);
    const saved = readFileSync(approvalPath(box.paths, req.id));
    expect(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).code).toBe(0);
    const usedDir = join(box.paths.stateDir, 'approvals/used');
    for (const f of readdirSync(usedDir)) rmSync(join(usedDir, f));
    writeFileSync(approvalPath(box.paths, req.id), saved);
    const replay = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(replay.code).toBe(77);
    expect(replay.stderr).toMatch(/the approval was already used/);
    // Removing the log line that records the use as well lets it through — and the log shows it.
    const log = join(box.paths.stateDir, 'audit.jsonl');
    const lines = readFileSync(log, 'utf8').split('\n').filter((l) => !(l.includes('"kind":"decision"') && l.includes('"decision":"approved"')));
    writeFileSync(log, lines.join('\n'));
    for (const f of readdirSync(usedDir)) rmSync(join(usedDir, f));
    writeFileSync(approvalPath(box.paths, req.id), saved);
    expect(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).code).toBe(0);
    const verify = runDetached(blastgateArgv(['log', '--verify']), box.env, box.root);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/^blastgate: audit log broken: .*missing/m);
  });

  it('expired: an approval past its expiry is rejected', () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    sign(req, PASSPHRASE, key, {}, -1000);
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/the approval has expired/);
    expect(box.runs()).toEqual([]);
  });

  it('expiry cannot be extended by editing the file: the expiry is signed', () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    const a = sign(req, PASSPHRASE, key, {}, -1000);
    writeFileSync(approvalPath(box.paths, req.id), JSON.stringify({ ...a, expiresAt: new Date(Date.now() + 3600_000).toISOString() }));
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/not signed by the trusted approval key/);
    expect(box.runs()).toEqual([]);
  });

  it('different argv: an approval for `dropdb shop` does not let `dropdb shop_production` run, even under its id', async () => {
    const key = box.setPassphrase();
    const approved = requestFor(['dropdb', 'shop']);
    const a = sign(approved, PASSPHRASE, key);
    // Plain re-run of another command: no approval matches it.
    expect(runDetached(gateArgv(['dropdb', 'shop_production']), agent(), box.work).code).toBe(77);
    // The agent moves the approval onto the other command's request.
    const gated = startDetached(gateArgv(['dropdb', 'shop_production']), agent({ BLASTGATE_APPROVAL_WAIT: '30' }), box.work);
    const other = await waitFor(() => listPending(box.paths).find((p) => p.panel.argv[1] === 'shop_production'), 20_000, 'request');
    writeApproval(box.paths, { ...a, id: other.id, nonce: other.nonce, subject: other.subject, expiresAt: other.expiresAt });
    const done = await gated.done;
    expect(done.code).toBe(77);
    expect(done.stderr).toMatch(/approval for [a-z0-9]{8} rejected: the approval is not signed/);
    expect(box.runs()).toEqual([]);
  });

  it('different cwd: the same argv from another directory is not approved', async () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    sign(req, PASSPHRASE, key);
    const elsewhere = join(box.root, 'home');
    const r = runDetached(gateArgv(['dropdb', 'shop']), agent(), elsewhere);
    expect(r.code).toBe(77);
    expect(box.runs()).toEqual([]);
    // …and the approval is still there, unused, for the directory it was given for.
    expect(runDetached(gateArgv(['dropdb', 'shop']), agent(), box.work).code).toBe(0);
  });

  it('a request file edited to look harmless is refused by approve; re-binding it makes the approval useless', async () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop_production']);
    const file = join(box.paths.stateDir, 'approvals/pending', `${req.id}.json`);
    const harmless = { ...req, panel: { ...req.panel, argv: ['dropdb', 'scratch'] } };
    writeFileSync(file, JSON.stringify(harmless));
    const t = new Terminal(box.root, blastgateArgv(['approve', req.id]), box.env, box.root);
    terms.push(t);
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).toMatch(/was altered after it was made/);
    // The agent also recomputes the subject so approve accepts it: the human signs "dropdb scratch"…
    const { subjectOf } = await import('../../src/approvals/binding.js');
    sign({ ...harmless, subject: subjectOf(harmless.panel) }, PASSPHRASE, key);
    // …which is not what the gated command is.
    expect(runDetached(gateArgv(['dropdb', 'shop_production']), agent(), box.work).code).toBe(77);
    expect(box.runs()).toEqual([]);
  });

  it('race: two re-runs start together on one approval — exactly one runs', async () => {
    const key = box.setPassphrase();
    const req = requestFor(['dropdb', 'shop']);
    sign(req, PASSPHRASE, key);
    const a = startDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    const b = startDetached(gateArgv(['dropdb', 'shop']), agent(), box.work);
    const codes = [(await a.done).code, (await b.done).code].sort();
    expect(codes).toEqual([0, 77]);
    expect(box.runs()).toEqual([['shop']]);
  });

  it('race: two processes waiting on the same request — one approval, exactly one runs', async () => {
    const key = box.setPassphrase();
    const a = startDetached(gateArgv(['dropdb', 'shop']), agent({ BLASTGATE_APPROVAL_WAIT: '30' }), box.work);
    const req = await waitFor(() => listPending(box.paths)[0], 20_000, 'the pending request');
    let bErr = '';
    const b = startDetached(gateArgv(['dropdb', 'shop']), agent({ BLASTGATE_APPROVAL_WAIT: '30' }), box.work);
    b.child.stderr!.on('data', (d) => (bErr += d));
    await waitFor(() => idFrom(bErr) === req.id, 20_000, 'the second process to wait on the same request');
    sign(req, PASSPHRASE, key);
    const codes = [(await a.done).code, (await b.done).code].sort();
    expect(codes).toEqual([0, 77]);
    expect(box.runs()).toEqual([['shop']]);
    expect(readdirSync(join(box.paths.stateDir, 'approvals/used'))).toHaveLength(1);
  });
});
