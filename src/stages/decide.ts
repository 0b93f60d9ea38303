// Stage 6: severity × production × actor × policy → allow / confirm / deny. The only stage that decides.
import type { ActorDecision, Policy } from '../config/policy.js';
import { SEVERITIES, type Actor, type Decision, type Match, type Severity, type Target, type Unknown, type Verdict } from '../types.js';

const ORDER: Record<Decision, number> = { allow: 0, confirm: 1, deny: 2 };
export const strictest = (a: Decision, b: Decision): Decision => (ORDER[a] >= ORDER[b] ? a : b);

const forActor = (v: ActorDecision | undefined, actor: Actor): Decision | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : v[actor];

const ruleSetting = (rules: Record<string, ActorDecision> | undefined, id: string, actor: Actor) => {
  if (!rules) return undefined;
  const exact = forActor(rules[id], actor);
  if (exact) return exact;
  return forActor(rules[`${id.split(':')[0]}:*`], actor);
};

/** Walk the layers: a layer that may loosen replaces the decision, any other can only raise it. */
const layered = (policy: Policy, pick: (l: Policy['layers'][number]) => Decision | undefined): Decision => {
  let d: Decision = 'allow';
  for (const layer of policy.layers) {
    const v = pick(layer);
    if (v === undefined) continue;
    d = layer.canLoosen ? v : strictest(d, v);
  }
  return d;
};

// Rules from a locked or stricter layer still bind: compute table and rule overrides separately, then
// let a rule override only replace the table when that rule override itself comes from a loosening layer.
const decideMatch = (severity: Severity, ruleId: string, actor: Actor, policy: Policy): Decision => {
  const bySeverity = layered(policy, (l) => l.data.decisions?.[actor]?.[severity]);
  let d = bySeverity;
  for (const layer of policy.layers) {
    const v = ruleSetting(layer.data.rules, ruleId, actor);
    if (v === undefined) continue;
    d = layer.canLoosen ? v : strictest(d, v);
  }
  // A locked system policy's own severity table is a floor nobody below it can lower.
  if (policy.locked) {
    for (const layer of policy.layers) {
      if (layer.origin !== 'system') continue;
      const floor = forActor(layer.data.decisions?.[actor]?.[severity], actor) ?? ruleSetting(layer.data.rules, ruleId, actor);
      if (floor) d = strictest(d, floor);
    }
  }
  return d;
};

const raise = (s: Severity): Severity => SEVERITIES[Math.min(SEVERITIES.indexOf(s) + 1, SEVERITIES.length - 1)]!;

export const isProductionName = (value: string, patterns: string[]): boolean => {
  const lower = value.toLowerCase();
  return patterns.some((p) => new RegExp(`(^|[^a-z0-9])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z0-9]|$)`).test(lower));
};

/** Production if the resolver said so, or any name it found matches a production pattern. */
export const productionOf = (target: Target | null, patterns: string[]): boolean | 'unknown' => {
  if (!target) return 'unknown';
  if (target.production === true) return true;
  const names = [target.name, ...Object.values(target.fields).flat()].filter((v): v is string => typeof v === 'string');
  if (names.some((n) => isProductionName(n, patterns))) return true;
  return target.production;
};

export interface DecideInput {
  matches: Match[];
  unknowns: Unknown[];
  target: Target | null;
  actor: Actor;
  policy: Policy;
}

export interface DecideResult {
  decision: Decision;
  severity: Severity | null;
  production: boolean | 'unknown';
  reason: string;
}

export const decide = ({ matches, unknowns, target, actor, policy }: DecideInput): DecideResult => {
  const production = productionOf(target, policy.productionPatterns);
  let decision: Decision = 'allow';
  let severity: Severity | null = null;
  let reason = 'no rule matched';
  const floor = target?.raise?.severity;
  for (const m of matches) {
    const found = floor && SEVERITIES.indexOf(floor) > SEVERITIES.indexOf(m.severity) ? floor : m.severity;
    const sev = production === true && policy.raiseOnProduction ? raise(found) : found;
    if (!severity || SEVERITIES.indexOf(sev) > SEVERITIES.indexOf(severity)) severity = sev;
    const d = decideMatch(sev, m.rule, actor, policy);
    if (ORDER[d] > ORDER[decision] || reason === 'no rule matched') {
      if (ORDER[d] >= ORDER[decision]) reason = `${m.rule} (${sev}${production === true ? ', production' : ''}) → ${d} for ${actor}`;
    }
    decision = strictest(decision, d);
  }
  const counted = unknowns.filter((u) => !u.agentOnly || actor === 'agent');
  if (counted.length > 0) {
    const d = layered(policy, (l) => forActor(l.data.decisions?.unknown, actor));
    if (ORDER[d] > ORDER[decision]) reason = `cannot judge: ${counted[0]!.reason}`;
    decision = strictest(decision, d === 'allow' ? 'confirm' : d);
  }
  return { decision, severity, production, reason };
};

/** What the verdict says is lost: irreversible, backups too, production — from the matches and the target. */
export const blastOf = (matches: Match[], target: Target | null, production: boolean | 'unknown'): Verdict['blast'] => ({
  irreversible: matches.some((m) => m.blast?.irreversible),
  backups: matches.some((m) => m.blast?.backups) ? 'deleted' : (target?.backups ?? 'unknown'),
  production,
});
