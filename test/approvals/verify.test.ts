// The gate's check of an approval, and single use under real concurrency (separate processes).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signBinding, subjectOf } from '../../src/approvals/binding.js';
import { trustedKeys } from '../../src/approvals/key-store.js';
import { createKeyFile, deriveSigningKey, keyFingerprint, type KeyFile } from '../../src/approvals/keys.js';
import { createPending, readApproval, writeApproval, type Approval, type PendingRequest } from '../../src/approvals/store.js';
import { checkApproval, takeApproval } from '../../src/approvals/verify.js';
import type { PanelData } from '../../src/confirm/panel.js';
import { makeSandbox, PASSPHRASE, repoRoot, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
let key: KeyFile;
beforeEach(() => {
  box = makeSandbox();
  key = box.setPassphrase();
});
afterEach(() => box.cleanup());

const panel = (over: Partial<PanelData> = {}): PanelData => ({
  argv: ['terraform', 'destroy', '-auto-approve'],
  cwd: '/srv/infra',
  tool: 'terraform',
  severity: 'critical',
  rules: [{ rule: 'terraform:destroy', severity: 'critical', message: 'Destroys every resource in the workspace.' }],
  target: { kind: 'terraform', name: 'prod', production: true, fields: { workspace: 'prod', resources: 42 }, unresolved: [], credential: null, resources: null, notes: [] },
  irreversible: true,
  backups: 'unknown',
  actor: 'agent',
  actorReason: 'CLAUDECODE=1',
  unknowns: [],
  ...over,
});

const approve = (req: PendingRequest, pass = PASSPHRASE, file = key, ttlMs = 600_000): Approval => {
  const expiresAt = new Date(Date.now() + ttlMs).toISOString();
  const a: Approval = {
    v: 1, id: req.id, nonce: req.nonce, subject: req.subject, approvedAt: new Date().toISOString(), expiresAt,
    key: keyFingerprint(file), keyOrigin: 'user', panel: req.panel,
    signature: signBinding({ id: req.id, subject: req.subject, nonce: req.nonce, expiresAt }, deriveSigningKey(pass, file.kdf).privateKey),
  };
  writeApproval(box.paths, a);
  return a;
};

/** The gate's view when its subject is fixed (no salt to recompute under). */
const bySubject = (subject: string) => () => ({ subject, difference: null });
const request = (p = panel()) => createPending(box.paths, p, subjectOf(p), 600, p.argv);

describe('subject: what an approval is bound to', () => {
  it.each<[string, Partial<PanelData>]>([
    ['argv', { argv: ['terraform', 'destroy'] }],
    ['cwd', { cwd: '/srv/infra-staging' }],
    ['target', { target: { ...panel().target!, name: 'staging' } }],
    ['target fields', { target: { ...panel().target!, fields: { workspace: 'prod', resources: 3 } } }],
    ['production flag', { target: { ...panel().target!, production: false } }],
    ['rules', { rules: [] }],
    ['severity', { severity: 'high' }],
    ['backups', { backups: 'kept' }],
    ['actor', { actor: 'human' }],
  ])('changes when the %s changes', (_what, over) => {
    expect(subjectOf(panel(over))).not.toBe(subjectOf(panel()));
  });

  it('does not depend on key order or on the free-text actor reason (it names pids)', () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const reordered = reverseKeys(panel()) as PanelData;
    expect(Object.keys(reordered)[0]).toBe('unknowns');
    expect(subjectOf(reordered)).toBe(subjectOf(panel()));
    expect(subjectOf(panel({ actorReason: 'ancestor process 4242 is Claude Code' }))).toBe(subjectOf(panel()));
  });
});

describe('checkApproval', () => {
  it('accepts the genuine approval for its own subject', () => {
    const req = request();
    const a = approve(req);
    expect(checkApproval(a, req.subject, trustedKeys(box.paths).keys, box.paths)).toMatchObject({ ok: true });
  });

  it.each([
    ['forged with another key', (req: PendingRequest) => approve(req, 'another passphrase', createKeyFile('another passphrase')), 'bad-signature'],
    ['expired', (req: PendingRequest) => approve(req, PASSPHRASE, key, -1), 'expired'],
    ['expiry edited later', (req: PendingRequest) => ({ ...approve(req, PASSPHRASE, key, -1), expiresAt: new Date(Date.now() + 1e6).toISOString() }), 'bad-signature'],
    ['nonce edited later', (req: PendingRequest) => ({ ...approve(req), nonce: 'f'.repeat(32) }), 'bad-signature'],
    ['id edited to a path', (req: PendingRequest) => ({ ...approve(req), id: '../../x' }), 'malformed'],
    ['signature missing', (req: PendingRequest) => ({ ...approve(req), signature: undefined as unknown as string }), 'malformed'],
  ])('rejects an approval %s', (_what, make, reason) => {
    const req = request();
    const a = make(req);
    expect(checkApproval(a, req.subject, trustedKeys(box.paths).keys, box.paths)).toMatchObject({ ok: false, reason });
  });

  it('rejects a genuine approval presented for a different command (different subject)', () => {
    const req = request();
    const a = approve(req);
    const other = subjectOf(panel({ argv: ['terraform', 'destroy', '-auto-approve', '-target=module.db'] }));
    expect(checkApproval(a, other, trustedKeys(box.paths).keys, box.paths)).toMatchObject({ ok: false, reason: 'wrong-subject' });
  });

  it('single use: the second take of one approval fails as used', () => {
    const req = request();
    approve(req);
    const keys = trustedKeys(box.paths).keys;
    expect(takeApproval(box.paths, bySubject(req.subject), keys)).toMatchObject({ ok: true });
    expect(readApproval(box.paths, req.id)).toBeNull();
    const again = approve(req); // the file is restored byte for byte
    expect(checkApproval(again, req.subject, keys, box.paths)).toMatchObject({ ok: false, reason: 'used' });
    expect(takeApproval(box.paths, bySubject(req.subject), keys)).toMatchObject({ ok: false, rejections: [{ reason: 'used' }] });
  });
});

describe('consuming under a real race', () => {
  // 8 processes released at the same instant each try to take the same approval, 4 rounds.
  it('exactly one of 8 simultaneous processes gets each approval', async () => {
    const racer = join(repoRoot, 'test/approvals/race-take.ts');
    for (let round = 0; round < 4; round++) {
      const req = request(panel({ argv: ['terraform', 'destroy', `-target=r${round}`] }));
      approve(req);
      const startAt = Date.now() + 2500;
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          new Promise<string>((resolve) => {
            const child = spawn('node', ['--import', 'tsx', racer, JSON.stringify(box.env), req.subject, String(startAt)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.on('close', () => resolve(out.trim()));
          }),
        ),
      );
      expect(results.filter((r) => r === 'took').length, `round ${round}: ${results.join(',')}`).toBe(1);
      expect(results.filter((r) => r === 'refused').length).toBe(7);
    }
  });
});
