// `blastgate approve <id>`: a human, in their own terminal, sees the panel and signs the request with the passphrase.
import { signBinding, subjectOf } from '../approvals/binding.js';
import { trustedKeys } from '../approvals/key-store.js';
import { keyFingerprint, PASSPHRASE_ATTEMPTS, passphraseMatches } from '../approvals/keys.js';
import { readApproval, readDenial, readPending, removePending, writeApproval, type Approval, type PendingRequest } from '../approvals/store.js';
import { CLOCK_TOLERANCE_SECONDS, expiryToSign } from '../approvals/clock.js';
import { redactValue, secretsOf } from '../audit/redact.js';
import { visible } from '../report/escape.js';
import { humanTime } from '../report/time.js';
import { chalkFor, renderPanel, type PanelTarget } from '../confirm/panel.js';
import { openTty, type TtyPort } from '../confirm/tty-prompt.js';
import { loadEngine, type Engine } from '../engine.js';
import { DeniedError, UsageError } from '../errors.js';
import { appendAudit } from '../stages/audit.js';
import type { Target } from '../types.js';

export interface ApproveOptions {
  id: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  openTty?: () => TtyPort | null;
  err?: (text: string) => void;
}

const ATTEMPTS = PASSPHRASE_ATTEMPTS;

/** Why: audit records and `pending` want a Target-shaped view of what the panel showed. */
export const targetOfPanel = (t: PanelTarget | null): Target | null =>
  t ? { kind: t.kind, ...(t.name ? { name: t.name } : {}), production: t.production, fields: t.fields } : null;

/** Why: `approve` and `deny` look a request up the same way and explain a miss the same way. */
export const openRequest = (engine: Engine, id: string): PendingRequest => {
  const req = readPending(engine.paths, id.trim().toLowerCase());
  if (req) {
    // The gate's clock wrote expiresAt; this clock may differ from it by up to the tolerance.
    if (Date.parse(req.expiresAt) + CLOCK_TOLERANCE_SECONDS * 1000 <= Date.now()) throw new UsageError(`request ${id} expired at ${humanTime(req.expiresAt)}; re-run the command to make a new one`);
    // The request file is user-writable: refuse one whose shown details no longer match what it binds.
    if (subjectOf(req.panel) !== req.subject) throw new DeniedError(`request ${id} was altered after it was made (its details do not match its binding); not approving it`);
    return req;
  }
  if (readApproval(engine.paths, id)) throw new UsageError(`request ${id} is already approved`);
  if (readDenial(engine.paths, id)) throw new UsageError(`request ${id} was denied`);
  throw new UsageError(`no pending request ${JSON.stringify(id)} (expired, already handled, or never made); see \`blastgate pending\``);
};

/**
 * The request as audit fields. argv is the asker's redacted copy (it knew which values were its tokens);
 * the target is masked with every value the bound argv masks (a resolver may have echoed one).
 */
export const auditFieldsOf = (req: PendingRequest, env: Record<string, string | undefined>) => ({
  argv: Array.isArray(req.auditArgv) ? req.auditArgv.map(String) : req.panel.argv,
  cwd: req.panel.cwd,
  tool: req.panel.tool,
  rules: req.panel.rules.map((r) => r.rule),
  target: redactValue(targetOfPanel(req.panel.target), secretsOf(req.panel.argv, env)),
  production: req.panel.target?.production ?? ('unknown' as const),
  approvalId: req.id,
});

/** Returns 0 once the approval is written; every refusal throws (exit 77 or 2). */
export const runApprove = async (opts: ApproveOptions): Promise<number> => {
  const engine = await loadEngine({ env: opts.env, cwd: opts.cwd });
  if (engine.actor.actor === 'agent') {
    throw new DeniedError(`approve must be run by a human in their own terminal; this process looks like an AI agent (${engine.actor.reason})`);
  }
  const req = openRequest(engine, opts.id);
  // The approval ends when the request does, by the gate's clock (src/approvals/clock.ts).
  const window = expiryToSign(req, engine.policy.approval.ttl, new Date());
  if ('problem' in window) throw new DeniedError(`not approving ${req.id}: ${window.problem}`);
  const keys = trustedKeys(engine.paths);
  if (keys.keys.length === 0) throw new UsageError('no approval passphrase is set; run `blastgate passphrase set` first');
  const tty = (opts.openTty ?? openTty)();
  if (!tty) throw new DeniedError('approve needs a terminal (it asks for the passphrase on /dev/tty); run it in your own terminal');
  const err = opts.err ?? ((t: string) => void process.stderr.write(t));
  try {
    tty.write(`${renderPanel(req.panel, chalkFor(tty.colors, engine.env), engine.env)}\n`);
    tty.write(`  request       ${req.id}, made ${humanTime(req.createdAt)}, open until ${humanTime(req.expiresAt)}\n`);
    let privateKey = null;
    let key = keys.keys[0]!;
    for (let attempt = 1; attempt <= ATTEMPTS && !privateKey; attempt++) {
      const pass = await tty.ask(`Approval passphrase to approve ${req.id}:`, { timeoutMs: engine.policy.confirm.timeout * 1000, secret: true, plain: chalkFor(tty.colors, engine.env).level === 0 });
      if (pass === null) throw new DeniedError(`not approved: no passphrase given`);
      for (const k of keys.keys) {
        privateKey = passphraseMatches(pass, k.file);
        if (privateKey) {
          key = k;
          break;
        }
      }
      if (!privateKey) tty.write(attempt < ATTEMPTS ? 'wrong passphrase\n' : '');
    }
    if (!privateKey) {
      await appendAudit(engine, { kind: 'approval', ...auditFieldsOf(req, engine.env), actor: engine.actor.actor, decision: 'approve-failed', reason: 'wrong passphrase' });
      throw new DeniedError(`not approved: wrong passphrase (${ATTEMPTS} attempts)`);
    }
    const now = new Date();
    const expiresAt = window.expiresAt;
    const approval: Approval = {
      v: 1,
      id: req.id,
      nonce: req.nonce,
      subject: req.subject,
      approvedAt: now.toISOString(),
      expiresAt,
      key: keyFingerprint(key.file),
      keyOrigin: key.origin,
      signature: signBinding({ id: req.id, subject: req.subject, nonce: req.nonce, expiresAt }, privateKey),
      panel: req.panel,
    };
    writeApproval(engine.paths, approval);
    removePending(engine.paths, req.id);
    await appendAudit(engine, { kind: 'approval', ...auditFieldsOf(req, engine.env), actor: engine.actor.actor, decision: 'approved', reason: `signed with the ${key.origin} key ${approval.key}` });
    const msg = `approved ${req.id}: the waiting command proceeds, or the same command in ${visible(req.panel.cwd)} may run once before ${humanTime(expiresAt)}\n`;
    tty.write(msg);
    // Also on stderr when that is not the same terminal (a log, a wrapper script).
    if (!process.stderr.isTTY) err(msg);
    return 0;
  } finally {
    tty.close();
  }
};
