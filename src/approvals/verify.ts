// Is this approval good for this command, now? Signature, binding, expiry, single use — in that order.
import type { Paths } from '../config/paths.js';
import { bindingSignedBy } from './binding.js';
import { expiredForGate } from './clock.js';
import { isRequestId } from './ids.js';
import { usedInLog } from '../audit/log-file.js';
import type { TrustedKey } from './key-store.js';
import { consumeApproval, isUsed, listApprovals, readApproval, type Approval } from './store.js';

export type Rejection = 'malformed' | 'wrong-subject' | 'bad-signature' | 'expired' | 'used';

export type ApprovalCheck = { ok: true; approval: Approval; key: TrustedKey } | { ok: false; reason: Rejection; detail: string };

const REASONS: Record<Rejection, string> = {
  malformed: 'the approval file is malformed',
  'wrong-subject': 'the approval was given for a different command, directory or target',
  'bad-signature': 'the approval is not signed by the trusted approval key',
  expired: 'the approval has expired',
  used: 'the approval was already used',
};

/**
 * Why: the gate trusts nothing in the approval file except what the signature covers, and it checks the
 * signature against ITS OWN subject (argv, cwd, target, rules it computed), never the file's copy.
 */
export const checkApproval = (approval: Approval, subject: string, keys: readonly TrustedKey[], paths: Paths, now = new Date()): ApprovalCheck => {
  const no = (reason: Rejection): ApprovalCheck => ({ ok: false, reason, detail: REASONS[reason] });
  if (!approval || typeof approval.signature !== 'string' || typeof approval.nonce !== 'string' || typeof approval.expiresAt !== 'string' || !/^[0-9a-f]{32}$/.test(approval.nonce) || !isRequestId(String(approval.id))) {
    return no('malformed');
  }
  const parts = { id: approval.id, subject, nonce: approval.nonce, expiresAt: approval.expiresAt };
  const key = keys.find((k) => bindingSignedBy(parts, approval.signature, k.file));
  if (!key) {
    // Signed, but over someone else's subject? Say so: it is the more useful message.
    const forOther = approval.subject !== subject && keys.some((k) => bindingSignedBy({ ...parts, subject: approval.subject }, approval.signature, k.file));
    return no(forOther ? 'wrong-subject' : 'bad-signature');
  }
  // expiresAt is the gate's own request expiry, signed: judged on this (the gate's) clock only.
  if (expiredForGate(approval.expiresAt, now)) return no('expired');
  if (isUsed(paths, approval.nonce) || usedInLog(paths, approval.id)) return no('used');
  return { ok: true, approval, key };
};

export type TakeResult =
  | { ok: true; approval: Approval; key: TrustedKey }
  | { ok: false; rejections: Array<{ id: string; reason: Rejection; detail: string }> };

/** How the gate sees one approval: its own subject under that approval's salt, and what differs if not equal. */
export interface SubjectView {
  subject: string;
  /** One line naming what differs from what was approved (a credential, a payload, the target), or null. */
  difference: string | null;
}

/**
 * Why: the one way a gated process gets to run on an approval — verify, then consume atomically.
 * With `id`, only that request's approval is considered (the waiting process); without, every approval
 * `view` says concerns this command (re-running it within the TTL). Each approval is judged against
 * the gate's OWN subject, recomputed with that approval's salt.
 */
export const takeApproval = (
  paths: Paths,
  view: (approval: Approval) => SubjectView | null,
  keys: readonly TrustedKey[],
  opts: { id?: string; now?: Date } = {},
): TakeResult => {
  const now = opts.now ?? new Date();
  const candidates = opts.id ? [readApproval(paths, opts.id)].filter((a): a is Approval => a !== null) : listApprovals(paths);
  const rejections: Array<{ id: string; reason: Rejection; detail: string }> = [];
  for (const approval of candidates) {
    const seen = view(approval);
    if (!seen) continue;
    const check = checkApproval(approval, seen.subject, keys, paths, now);
    if (!check.ok) {
      const detail = check.reason === 'wrong-subject' && seen.difference ? `it does not apply: ${seen.difference}` : check.detail;
      rejections.push({ id: approval.id, reason: check.reason, detail });
      continue;
    }
    const consumed = consumeApproval(paths, approval);
    if (consumed === 'consumed') return check;
    rejections.push({ id: approval.id, reason: 'used', detail: 'another process used this approval first' });
  }
  return { ok: false, rejections };
};
