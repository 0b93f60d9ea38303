// Whose clock says when an approval ends. The gate judges expiry only by its own clock against the expiry
// it wrote into the request itself (createdAt + ttl, gate time); `approve` signs that same expiry instead
// of computing one from its own clock. So a gate ahead of the approver does not sweep a valid approval, an
// approver ahead does not stretch the TTL, and a gate behind never runs past its own deadline.
// The approver's clock bounds what it will sign: a request made in its future or expired in its past by
// more than CLOCK_TOLERANCE_SECONDS is refused, naming the difference (an edited request, or clocks apart).

/** How far apart the approver's and the gate's clocks may be (README "Approvals and clocks"). */
export const CLOCK_TOLERANCE_SECONDS = 300;

export interface RequestTimes {
  createdAt: string;
  expiresAt: string;
}

/**
 * Why: `approve` signs the request's own expiry (gate clock) — after checking, with its own clock and the
 * tolerance, that the request is not from the future, not expired, and not open longer than `ttlSeconds`.
 * Returns the expiry to sign, or a one-line reason not to sign.
 */
export const expiryToSign = (req: RequestTimes, ttlSeconds: number, now: Date): { expiresAt: string } | { problem: string } => {
  const created = Date.parse(req.createdAt);
  const expires = Date.parse(req.expiresAt);
  if (!Number.isFinite(created) || !Number.isFinite(expires)) return { problem: 'its times are unreadable' };
  const t = now.getTime();
  const tol = CLOCK_TOLERANCE_SECONDS * 1000;
  // Durations are the same on every clock: a request open longer than the TTL was edited.
  if (expires - created > ttlSeconds * 1000 || expires <= created) return { problem: `it claims to stay open ${Math.round((expires - created) / 1000)} s, more than the approval TTL of ${ttlSeconds} s` };
  if (created > t + tol) return { problem: `it was made ${Math.round((created - t) / 1000)} s in this clock's future (more than the ${CLOCK_TOLERANCE_SECONDS} s tolerated): clocks apart, or the request was edited` };
  if (expires + tol < t) return { problem: `it expired ${Math.round((t - expires) / 1000)} s ago` };
  return { expiresAt: req.expiresAt };
};

/** Why: the gate's test — its own clock against the expiry its own request carried (signed by the approver). */
export const expiredForGate = (expiresAt: string, now: Date): boolean => {
  const e = Date.parse(expiresAt);
  return !Number.isFinite(e) || e <= now.getTime();
};
