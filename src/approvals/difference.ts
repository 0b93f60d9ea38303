// Why an approval for this very command does not apply any more: one line naming what differs.
import type { PanelData } from '../confirm/panel.js';
import { visible } from '../report/escape.js';
import { canonicalJson } from './canonical.js';
import { boundDifference } from './credentials.js';

const targetName = (p: PanelData) => (p.target ? `${p.target.kind} ${p.target.name ?? 'unknown'}` : 'unknown');

/**
 * Why: "the approval was given for a different command" is useless when the command is the same and the
 * token behind it is not. Credentials and payloads first (the incident's case), then target, then findings.
 */
export const describeDifference = (approved: PanelData | undefined, now: PanelData): string | null => {
  if (!approved) return null;
  if (now.bound) {
    const bound = boundDifference(approved.bound, now.bound);
    if (bound) return visible(bound);
  }
  if (canonicalJson(approved.target) !== canonicalJson(now.target)) {
    const was = targetName(approved);
    const is = targetName(now);
    return visible(was === is ? `the target ${is} is not as approved (its details changed)` : `the target is ${is}, not ${was} as approved`);
  }
  if (canonicalJson([approved.rules, approved.severity, approved.unknowns]) !== canonicalJson([now.rules, now.severity, now.unknowns])) {
    return 'what the rules find in it is not what was approved';
  }
  if (approved.actor !== now.actor) return `it was approved for ${approved.actor === 'agent' ? 'an AI agent' : 'a human'}`;
  return null;
};
