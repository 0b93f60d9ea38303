// The `--json` contract of `blastgate check` (see README "Exit codes and JSON").
import type { Verdict } from '../types.js';

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
  target: v.target,
  blast: v.blast,
  commands: v.commands,
  unknowns: v.unknowns,
  actor: v.actor,
  reason: v.reason,
});
