// Clock skew (issue 16): the approver's and the gate's clocks both bound an approval. The gate judges
// expiry only by its own clock against the expiry its own request carried; `approve` signs that expiry and
// refuses, naming the gap, a request its clock says is from the future or long expired (tolerance: 300 s).
import { describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_SECONDS, expiredForGate, expiryToSign } from '../../src/approvals/clock.js';

const TTL = 600;
const at = (base: number, seconds: number) => new Date(base + seconds * 1000);
// A request the gate made at gate time G0 (its own clock), open for the TTL.
const G0 = Date.parse('2026-12-06T12:00:00Z');
const request = { createdAt: at(G0, 0).toISOString(), expiresAt: at(G0, TTL).toISOString() };

describe('approver and gate clocks', () => {
  it('the tolerance stated in the README is 300 s', () => {
    expect(CLOCK_TOLERANCE_SECONDS).toBe(300);
  });

  it('an approver 300 s ahead cannot stretch the TTL: it signs the gate\'s expiry, which the gate judges on its own clock', () => {
    const signed = expiryToSign(request, TTL, at(G0, 10 + 300));
    expect(signed).toEqual({ expiresAt: request.expiresAt });
    expect(expiredForGate(request.expiresAt, at(G0, TTL - 1))).toBe(false);
    // 900 s after the request on the gate's clock (the old bug's window) it is over.
    expect(expiredForGate(request.expiresAt, at(G0, TTL + 1))).toBe(true);
  });

  it('a gate 280 s ahead of the approver does not sweep a valid approval', () => {
    // The approver's clock reads 280 s earlier than the gate's when it approves right away.
    const signed = expiryToSign(request, TTL, at(G0, 5 - 280));
    expect(signed).toEqual({ expiresAt: request.expiresAt });
    // Old behaviour: approver now + TTL = G0 + 325 on the gate's clock; now the gate keeps it to G0 + 600.
    expect(expiredForGate(request.expiresAt, at(G0, 400))).toBe(false);
  });

  it('a gate 60 s behind never runs an expired approval: its own deadline is its own clock', () => {
    const behind = { createdAt: at(G0, -60).toISOString(), expiresAt: at(G0, TTL - 60).toISOString() };
    expect(expiryToSign(behind, TTL, at(G0, 30))).toEqual({ expiresAt: behind.expiresAt });
    expect(expiredForGate(behind.expiresAt, at(G0, TTL - 60))).toBe(true);
  });

  it('clocks further apart than the tolerance: approve refuses and says by how much', () => {
    const r = expiryToSign(request, TTL, at(G0, -700));
    expect(r).toEqual({ problem: expect.stringMatching(/made 700 s in this clock's future \(more than the 300 s tolerated\)/) });
    expect(expiryToSign(request, TTL, at(G0, TTL + 301))).toEqual({ problem: 'it expired 301 s ago' });
  });

  it('a request edited to stay open longer than the TTL is not signed', () => {
    const stretched = { createdAt: request.createdAt, expiresAt: at(G0, 86_400).toISOString() };
    expect(expiryToSign(stretched, TTL, at(G0, 5))).toEqual({ problem: expect.stringMatching(/stay open 86400 s, more than the approval TTL of 600 s/) });
  });
});
