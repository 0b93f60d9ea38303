// The `--json` contract of `blastgate check` (see README "Exit codes and JSON").
import type { Verdict } from '../types.js';

/**
 * One production answer, in one place: `blast.production` (the decided answer: the resolver's, raised by
 * the policy's production name patterns). `target` carries no `production` of its own to contradict it.
 */
const targetJson = (t: Verdict['target']) => {
  if (!t) return null;
  const { production: _decidedInBlast, ...rest } = t;
  return rest;
};

export const verdictJson = (v: Verdict) => ({
  decision: v.decision,
  severity: v.severity,
  matches: v.matches.map((m) => ({
    rule: m.rule,
    severity: m.severity,
    message: m.message,
    ...(m.alternative ? { alternative: m.alternative } : {}),
    ...(m.details ? { details: m.details } : {}),
  })),
  target: targetJson(v.target),
  blast: v.blast,
  commands: v.commands,
  unknowns: v.unknowns,
  actor: v.actor,
  reason: v.reason,
});
