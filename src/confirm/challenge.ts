// What a human at the terminal must do to proceed: type the target's name, or `y`; maybe the passphrase.
import { redactText, secretsOf } from '../audit/redact.js';
import type { Policy } from '../config/policy.js';
import { productionOfPanel, type PanelData } from './panel.js';

export interface Challenge {
  /** The exact text to type, or null when an explicit `y` is enough. */
  typeName: string | null;
  /** Where typeName came from: the resolved target, or the tool (target name unknown, or it holds a secret). */
  nameSource: 'target' | 'tool' | 'tool-secret' | null;
  /** Also prove knowledge of the approval passphrase (policy `confirm.passphrase`). */
  passphrase: boolean;
}

/** Why: policy → challenge in one place, so the prompt, the panel hint and the tests agree. */
export const challengeFor = (panel: PanelData, policy: Pick<Policy, 'confirm'>, env: Record<string, string | undefined> = {}): Challenge => {
  const production = productionOfPanel(panel) === true;
  const severity = panel.severity;
  const needsName = production || (severity !== null && policy.confirm.typeName.includes(severity));
  const targetName = panel.target?.name ?? null;
  const mode = policy.confirm.passphrase;
  // The high tier needs what an agent cannot produce, whoever seems to ask: `critical-production`
  // (the default) means every critical command AND every production target.
  const passphrase = mode === 'always' || (mode === 'production' && production) || (mode === 'critical-production' && (production || severity === 'critical'));
  if (!needsName) return { typeName: null, nameSource: null, passphrase };
  if (!targetName) return { typeName: panel.tool, nameSource: 'tool', passphrase };
  // Never print a secret as the text to type (a "database name" that is really a connection URL).
  if (redactText(targetName, secretsOf(panel.argv, env)) !== targetName) return { typeName: panel.tool, nameSource: 'tool-secret', passphrase };
  return { typeName: targetName, nameSource: 'target', passphrase };
};
